#!/usr/bin/env node
// The `hub` operator CLI (`npx hub …`, `npm run -s hub -- …`). Its code is TypeScript under
// scripts/src, built with the rest of the workspace by `npm run build` (or `npm start`).
//
// Before running, it checks in a few milliseconds whether any workspace's sources are newer than
// what was built from them, and only then runs the build — with every line of its output on
// stderr, so that `TOKEN=$(npx hub token …)` captures the token and nothing else.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const cli = join(__dirname, '..', 'dist', 'cli.js');
// When the build ran and found nothing to redo (a file touched, not changed), turbo leaves dist/
// as it was: this stamp records that the sources were checked, so the next call does not rebuild.
const stamp = join(root, 'node_modules', '.cache', 'cdo-hub', 'built-at');

/** Newest modification time under `dir` (0 when it does not exist); `skip` leaves files out. */
function newest(dir, skip = () => false) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // Screenshots under web/ are pictures for the docs, rewritten by the browser tests; no build reads them.
      if (!['node_modules', 'dist', 'screenshots'].includes(entry.name)) latest = Math.max(latest, newest(path, skip));
    } else if (!skip(entry.name)) {
      latest = Math.max(latest, statSync(path).mtimeMs);
    }
  }
  return latest;
}

/** The workspaces that are built, and whether one's sources changed after its last build. */
function staleWorkspaces() {
  const { workspaces } = require(join(root, 'package.json'));
  // Tests are not built, so editing one must not trigger a build.
  const notBuilt = (name) => /\.test\.tsx?$/.test(name);
  const checked = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  return workspaces.filter((workspace) => {
    const dir = join(root, workspace);
    if (!existsSync(join(dir, 'src')) || !require(join(dir, 'package.json')).scripts?.build) return false;
    const sources = Math.max(
      newest(join(dir, 'src'), notBuilt),
      newest(join(dir, 'web'), notBuilt),
      statSync(join(dir, 'package.json')).mtimeMs,
    );
    return sources > Math.max(checked, newest(join(dir, 'dist')));
  });
}

const stale = staleWorkspaces();
if (stale.length) {
  const turbo = join(root, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) {
    console.error(
      `hub: ${stale.join(', ')} not built, and turbo is not installed: run \`npm install\`, then \`npm run build\`.`,
    );
    process.exit(1);
  }
  const started = new Date();
  console.error(`hub: building ${stale.join(', ')} (sources changed since the last build)…`);
  const build = spawnSync(turbo, ['run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env },
  });
  if (build.status !== 0) {
    console.error('hub: the build failed (above); fix it, or run `npm run build` to see it again.');
    process.exit(1);
  }
  mkdirSync(join(stamp, '..'), { recursive: true });
  // Dated when the build started: a file saved while it ran is still newer, so it gets built.
  writeFileSync(stamp, `${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
}
require(cli);
