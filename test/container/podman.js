// Podman as `npm run test:container` runs it: Debian's podman with runc, storage of its own
// (under /var/lib/cdo-hub-containers, so it never meets another podman setup on the machine:
// overlay, or vfs where that folder is itself on overlayfs, as inside another container),
// cgroupfs, and no default rlimits. Found on the machine or installed from Debian's
// packages when the script runs as root; otherwise it stops with the command to run.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { onPath } = require('../provision/requirements');

const STATE_DIR = '/var/lib/cdo-hub-containers';
const CONTAINERS_CONF = join(STATE_DIR, 'containers.conf');

/**
 * Which Debian packages the container test needs that this machine lacks (pure). `machine` holds
 * the paths found for podman, runc, debootstrap and catatonit.
 */
function missingPackages(machine) {
  const packages = [];
  if (!machine.podman) packages.push('podman');
  if (!machine.runc) packages.push('runc');
  if (!machine.debootstrap) packages.push('debootstrap');
  // A pod's infra container runs catatonit; Debian's podman only recommends it.
  if (!machine.catatonit) packages.push('catatonit');
  return packages;
}

function inspectMachine() {
  const sbin = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
  return {
    podman: onPath('podman'),
    runc: onPath('runc', sbin),
    debootstrap: onPath('debootstrap', sbin),
    catatonit: onPath('catatonit', `${sbin}:/usr/libexec/podman`),
  };
}

/** Finds or installs podman, runc, debootstrap and catatonit; returns false (having said why) when it cannot. */
function ensurePodman(log) {
  const missing = missingPackages(inspectMachine());
  if (missing.length === 0) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !onPath('apt-get')) {
    log(
      `test:container needs ${missing.join(', ')} and root: run it as root on Debian/Ubuntu ` +
        `(it installs them with apt-get), or first: sudo apt-get install -y ${missing.join(' ')}`,
    );
    return false;
  }
  log(`installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 2, 2],
    env,
  });
  return missingPackages(inspectMachine()).length === 0;
}

function podmanEnv() {
  mkdirSync(STATE_DIR, { recursive: true });
  // crun (podman's default) fails on this kind of machine's hybrid cgroups, and podman's default
  // rlimits cannot be applied in its sandbox: runc, and no default ulimits.
  writeFileSync(CONTAINERS_CONF, '[containers]\ndefault_ulimits = []\n');
  return { ...process.env, CONTAINERS_CONF };
}

/** overlay cannot stack on overlayfs; vfs (a full copy per layer, slow) works everywhere. */
function storageDriver() {
  if (process.env.CDO_HUB_PODMAN_STORAGE_DRIVER) return process.env.CDO_HUB_PODMAN_STORAGE_DRIVER;
  mkdirSync(STATE_DIR, { recursive: true });
  const fsType = execFileSync('stat', ['-f', '-c', '%T', STATE_DIR], { encoding: 'utf8' }).trim();
  return fsType === 'overlayfs' ? 'vfs' : 'overlay';
}

let globalFlags;
function flags() {
  if (globalFlags) return globalFlags;
  const driver = storageDriver();
  globalFlags = [
    ...['--root', join(STATE_DIR, `storage-${driver}`), '--runroot', `/run/cdo-hub-containers-${driver}`],
    ...['--storage-driver', driver, '--runtime', 'runc', '--cgroup-manager', 'cgroupfs'],
  ];
  return globalFlags;
}

/** Runs `podman <args>` and returns its stdout (trimmed); throws with its stderr on failure. */
function podman(args, options = {}) {
  return execFileSync('podman', [...flags(), ...args], {
    env: podmanEnv(),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...options,
  }).trim();
}

/** Like `podman`, but streams its output (line by line, prefixed) and resolves with its exit code. */
function podmanStreamed(args, log, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('podman', [...flags(), ...args], {
      env: podmanEnv(),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        // Without systemd podman cannot schedule healthchecks (they are run by hand here): not news.
        for (const line of lines) if (!/unable to get systemd connection/.test(line)) log(`  ${line}`);
      });
      stream.on('end', () => rest && log(`  ${rest}`));
    }
    if (options.input !== undefined) options.input.pipe(child.stdin);
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

module.exports = { ensurePodman, missingPackages, podman, podmanStreamed, STATE_DIR };
