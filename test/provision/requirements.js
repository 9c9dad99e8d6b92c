// What the test suite needs beyond node_modules, and how `npm test` gets it: found on this
// machine, installed from the system's package manager when it can (root with apt-get, as on a
// fresh Debian/Ubuntu machine or in CI), or refused in one line naming what to install. Plain
// CommonJS so it runs before anything is built; the e2e harness uses the same lookups.
'use strict';
const { execFile, execFileSync } = require('node:child_process');
const { accessSync, constants, existsSync, mkdtempSync, mkdirSync, renameSync, rmSync } = require('node:fs');
const { delimiter, join } = require('node:path');

/** Libraries the npm-shipped Chromium loads from the system (Debian package names). */
const BUNDLED_BROWSER_LIBRARIES = [
  { file: 'libnss3.so', debianPackage: 'libnss3' },
  { file: 'libnspr4.so', debianPackage: 'libnspr4' },
  { file: 'libexpat.so.1', debianPackage: 'libexpat1' },
];

const SYSTEM_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome-stable', 'google-chrome'];
const MACOS_BROWSERS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** The full path of `command` on PATH, or undefined. */
function onPath(command, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A browser installed on the system (Chromium or Chrome), or undefined. */
function systemBrowser(path = process.env.PATH) {
  for (const name of SYSTEM_BROWSERS) {
    const found = onPath(name, path);
    if (found) return found;
  }
  if (process.platform === 'darwin') return MACOS_BROWSERS.find((file) => existsSync(file));
  return undefined;
}

/** Whether the npm-shipped Chromium (@sparticuz/chromium, Linux x64) can run on this platform. */
function bundledBrowserSupported(platform = process.platform, arch = process.arch) {
  return platform === 'linux' && arch === 'x64';
}

/** The shared libraries the dynamic loader knows (from `ldconfig -p`); empty when it cannot tell. */
function loaderLibraries() {
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      const listing = execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return new Set(
        listing
          .split('\n')
          .map((line) => line.trim().split(' ')[0])
          .filter(Boolean),
      );
    } catch {
      // try the next spelling
    }
  }
  return new Set();
}

/**
 * The decision, pure: given what this machine has, which Debian packages to install and which
 * requirements are missing with no way to install them. `machine` holds: redisServer, promtool,
 * kubectl (paths or undefined), systemBrowser (path or undefined), bundledBrowserSupported, libraries (Set of file
 * names), canInstall (root with apt-get).
 */
function planProvisioning(machine) {
  const install = [];
  const missing = [];
  if (!machine.redisServer) {
    if (machine.canInstall) install.push('redis-server');
    else missing.push('redis-server (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)');
  }
  if (!machine.systemBrowser) {
    if (!machine.bundledBrowserSupported) {
      missing.push(
        'a Chromium or Chrome browser (Debian/Ubuntu: sudo apt-get install -y chromium; macOS: brew install --cask chromium)',
      );
    } else {
      const absent = BUNDLED_BROWSER_LIBRARIES.filter((library) => !machine.libraries.has(library.file)).map(
        (library) => library.debianPackage,
      );
      if (absent.length > 0 && machine.libraries.size > 0) {
        if (machine.canInstall) install.push(...absent);
        else
          missing.push(
            `the libraries the npm-shipped Chromium needs (Debian/Ubuntu: sudo apt-get install -y ${absent.join(' ')})`,
          );
      }
    }
  }
  // The deployment checks (test/deploy): promtool checks the alert rules; kubectl renders the
  // kustomize manifests offline. Debian's kubernetes-client (1.20) bundles kustomize 2, which
  // predates the fields deploy/kubernetes uses, so kubectl is not installed from there.
  if (!machine.promtool) {
    if (machine.canInstall) install.push('prometheus');
    else missing.push('promtool (Debian/Ubuntu: sudo apt-get install -y prometheus; macOS: brew install prometheus)');
  }
  if (!machine.kubectl)
    missing.push(
      'kubectl 1.27 or later, for `kubectl kustomize` (a kustomize 5 inside; see kubernetes.io/docs/tasks/tools)',
    );
  return { install, missing };
}

/** What this machine has, as `planProvisioning` reads it. */
function inspectMachine() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    redisServer: onPath('redis-server'),
    promtool: onPath('promtool'),
    kubectl: onPath('kubectl'),
    systemBrowser: systemBrowser(),
    bundledBrowserSupported: bundledBrowserSupported(),
    libraries: process.platform === 'linux' ? loaderLibraries() : new Set(),
    canInstall: isRoot && onPath('apt-get') !== undefined,
  };
}

/**
 * Unpacks the npm-shipped Chromium once per checkout (under node_modules/.cache) and returns its
 * binary. It unpacks into a folder of its own and renames it into place, so two test runs at once
 * never launch a half-written binary (the package itself unpacks to a fixed /tmp/chromium).
 */
async function bundledBrowser(cacheRoot) {
  const target = join(cacheRoot, 'chromium-147');
  const binary = join(target, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot, { recursive: true });
  const staging = mkdtempSync(join(cacheRoot, 'unpacking-'));
  // The package unpacks into os.tmpdir(): run it in a child whose TMPDIR is the staging folder
  // (setting TMPDIR here would not reach os.tmpdir() inside Jest's sandboxed process.env).
  const unpack = "require('@sparticuz/chromium').executablePath().then((path) => process.stdout.write(path))";
  await new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', unpack],
      { cwd: __dirname, env: { ...process.env, TMPDIR: staging } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`unpacking @sparticuz/chromium failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
  try {
    renameSync(staging, target);
  } catch (error) {
    // Another run unpacked it first: use theirs.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}

/** Installs `packages` with apt-get (root only), refreshing the package lists first. */
function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2], env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 2, 2],
    env,
  });
}

/** Finds or installs what the tests need; returns an exit code and prints only to stderr. */
async function provision(inspect = inspectMachine, install = aptInstall, cacheRoot = defaultCacheRoot()) {
  const plan = planProvisioning(inspect());
  const refuse = (lines) => {
    for (const line of lines) process.stderr.write(`npm test needs ${line}\n`);
    return 1;
  };
  if (plan.missing.length > 0) return refuse(plan.missing);
  if (plan.install.length > 0) {
    process.stderr.write(`npm test: installing ${plan.install.join(' ')} with apt-get\n`);
    try {
      install(plan.install);
    } catch (error) {
      process.stderr.write(
        `npm test: apt-get could not install ${plan.install.join(' ')} (${error.message.split('\n')[0]})\n`,
      );
    }
    const after = planProvisioning({ ...inspect(), canInstall: false });
    if (after.missing.length > 0) return refuse(after.missing);
  }
  const machine = inspect();
  if (!machine.systemBrowser && machine.bundledBrowserSupported) await bundledBrowser(cacheRoot);
  return 0;
}

/** Where the npm-shipped Chromium is unpacked: inside this checkout, so two checkouts never share it. */
function defaultCacheRoot() {
  return join(__dirname, '..', '..', 'node_modules', '.cache', 'cdo-hub-browser');
}

module.exports = {
  defaultCacheRoot,
  onPath,
  systemBrowser,
  bundledBrowser,
  bundledBrowserSupported,
  planProvisioning,
  inspectMachine,
  provision,
  BUNDLED_BROWSER_LIBRARIES,
};

if (require.main === module) {
  provision().then(
    (code) => (process.exitCode = code),
    (error) => {
      process.stderr.write(`npm test: provisioning failed: ${error.stack ?? error}\n`);
      process.exitCode = 1;
    },
  );
}
