import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubProcess } from './hubProcess';
import { READ_ONLY_HUB_FILES, SHARED_HUB_VARIABLE, type SharedHubAddress } from './sharedHub';

// Jest's global setup and teardown of the e2e package: when the run selects two or more of the
// read-only files, one hub serves them all (a file run alone starts its own, so it costs nothing
// then). The setup and the tests run in different module registries; they meet through an
// environment variable (the address) and a file (the hub's output).

interface RunConfig {
  testPathPatterns?: string[] | { patterns?: string[] };
}

/** The shared hub and its folder, kept here (the setup's registry) for the teardown. */
const running = globalThis as typeof globalThis & { cdoSharedHub?: { hub: HubProcess; folder: string } };

/** Whether the run's path patterns (none: every file) select `file`, matched as jest does (a regex, any case). */
function selected(config: RunConfig, file: string): boolean {
  const given = config.testPathPatterns;
  const patterns = Array.isArray(given) ? given : (given?.patterns ?? []);
  return patterns.length === 0 || patterns.some((pattern) => new RegExp(pattern, 'i').test(file));
}

export default async function setup(config: RunConfig, project: { rootDir: string }): Promise<void> {
  const files = READ_ONLY_HUB_FILES.map((name) => join(project.rootDir, 'e2e', `${name}.test.ts`));
  if (files.filter((file) => selected(config, file)).length < 2) return;
  const folder = mkdtempSync(join(tmpdir(), 'cdo-hub-shared-'));
  const dataDir = join(folder, 'data');
  const logFile = join(folder, 'hub.log');
  mkdirSync(dataDir);
  const hub = await HubProcess.start({ dataDir });
  // Everything printed until ready, then every chunk as it comes (nothing runs in between).
  writeFileSync(logFile, hub.log);
  for (const stream of [hub.child.stdout!, hub.child.stderr!])
    stream.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
  running.cdoSharedHub = { hub, folder };
  const address: SharedHubAddress = { gatewayUrl: hub.gatewayUrl, ports: hub.ports, dataDir: hub.dataDir, logFile };
  process.env[SHARED_HUB_VARIABLE] = JSON.stringify(address);
}

export async function teardown(): Promise<void> {
  const shared = running.cdoSharedHub;
  if (!shared) return;
  delete running.cdoSharedHub;
  delete process.env[SHARED_HUB_VARIABLE];
  try {
    await shared.hub.stop();
  } finally {
    rmSync(shared.folder, { recursive: true, force: true });
  }
}
