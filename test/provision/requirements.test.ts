import { BUNDLED_BROWSER_LIBRARIES, planProvisioning, provision, type Machine } from './requirements';

// What `npm test` does about redis-server and a browser on machines that lack them: install from
// apt-get as root, or refuse in one line naming what to install. Never a silent skip.

const allLibraries = new Set(BUNDLED_BROWSER_LIBRARIES.map((library) => library.file));
const laptop: Machine = {
  redisServer: '/usr/bin/redis-server',
  promtool: '/usr/bin/promtool',
  kubectl: '/usr/bin/kubectl',
  systemBrowser: '/usr/bin/chromium',
  bundledBrowserSupported: true,
  libraries: allLibraries,
  canInstall: false,
};

describe('planProvisioning', () => {
  it('asks nothing of a machine that has everything', () => {
    expect(planProvisioning(laptop)).toEqual({ install: [], missing: [] });
  });

  it('installs redis-server with apt-get as root on a fresh Debian machine, and uses the npm-shipped browser', () => {
    const fresh: Machine = {
      ...laptop,
      redisServer: undefined,
      systemBrowser: undefined,
      bundledBrowserSupported: true,
      libraries: allLibraries,
      canInstall: true,
    };
    expect(planProvisioning(fresh)).toEqual({ install: ['redis-server'], missing: [] });
  });

  it('installs the libraries the npm-shipped browser loads when they are missing', () => {
    const bare: Machine = { ...laptop, systemBrowser: undefined, libraries: new Set(['libc.so.6']), canInstall: true };
    expect(planProvisioning(bare)).toEqual({ install: ['libnss3', 'libnspr4', 'libexpat1'], missing: [] });
  });

  it('refuses with one line per requirement when it cannot install', () => {
    const plan = planProvisioning({
      ...laptop,
      redisServer: undefined,
      systemBrowser: undefined,
      bundledBrowserSupported: false,
    });
    expect(plan.install).toEqual([]);
    expect(plan.missing).toHaveLength(2);
    expect(plan.missing[0]).toMatch(
      /^redis-server \(Debian\/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis\)$/,
    );
    expect(plan.missing[1]).toMatch(/browser/);
  });

  it('installs promtool (Debian: prometheus) for the alert-rule checks, and names kubectl when it is missing', () => {
    expect(planProvisioning({ ...laptop, promtool: undefined, canInstall: true })).toEqual({
      install: ['prometheus'],
      missing: [],
    });
    const plan = planProvisioning({ ...laptop, promtool: undefined, kubectl: undefined });
    expect(plan.install).toEqual([]);
    expect(plan.missing).toEqual([
      expect.stringMatching(/^promtool \(Debian\/Ubuntu: sudo apt-get install -y prometheus/),
      expect.stringMatching(/^kubectl 1\.27 or later/),
    ]);
  });
});

describe('provision', () => {
  let stderr: string;
  let write: jest.SpyInstance;
  beforeEach(() => {
    stderr = '';
    write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  });
  afterEach(() => write.mockRestore());

  it('fails with the instruction when redis-server is missing and nothing can install it', async () => {
    const installed: string[][] = [];
    const code = await provision(
      () => ({ ...laptop, redisServer: undefined }),
      (packages) => installed.push(packages),
    );
    expect(code).toBe(1);
    expect(installed).toEqual([]);
    expect(stderr).toBe(
      'npm test needs redis-server (Debian/Ubuntu: sudo apt-get install -y redis-server; macOS: brew install redis)\n',
    );
  });

  it('installs, then checks again: an install that did not put redis-server on PATH fails', async () => {
    const installed: string[][] = [];
    const code = await provision(
      () => ({ ...laptop, redisServer: undefined, canInstall: true }),
      (packages) => installed.push(packages),
    );
    expect(installed).toEqual([['redis-server']]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/installing redis-server with apt-get\nnpm test needs redis-server/);
  });

  it('succeeds once the install put redis-server on PATH', async () => {
    let redisServer: string | undefined;
    const code = await provision(
      () => ({ ...laptop, redisServer, canInstall: true }),
      () => (redisServer = '/usr/bin/redis-server'),
    );
    expect(code).toBe(0);
  });
});
