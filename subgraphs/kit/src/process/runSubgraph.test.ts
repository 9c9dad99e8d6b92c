import Database from 'better-sqlite3';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import pino from 'pino';
import type { SubgraphDefinition } from '../server';
import { runSubgraphProcess, type SubgraphProcessHost, type SubgraphReadyMessage } from './runSubgraph';

// The subgraph process against a stand-in for `process`: what it logs, sends and exits with.

const definition: SubgraphDefinition = {
  name: 'education',
  typeDefs: parse('type Query { ping: String }'),
  resolvers: { Query: { ping: () => 'pong' } },
};

/** `process` as spawned by a parent, with an IPC channel (`ipc`) or without. */
class FakeProcess extends EventEmitter implements SubgraphProcessHost {
  readonly sent: SubgraphReadyMessage[] = [];
  readonly exited: Promise<number>;
  readonly send?: (message: SubgraphReadyMessage) => unknown;
  readonly connected?: boolean;
  private resolveExit!: (code: number) => void;

  constructor(
    readonly env: NodeJS.ProcessEnv,
    options: { ipc?: boolean; connected?: boolean } = {},
  ) {
    super();
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    if (options.ipc) {
      this.send = (message) => this.sent.push(message);
      this.connected = options.connected ?? true;
    }
  }

  exit(code: number): void {
    this.resolveExit(code);
  }
}

let dir: string;
let databaseFile: string;
let lines: Record<string, any>[];
const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cdo-hub-process-'));
  databaseFile = join(dir, 'education.sqlite');
  new Database(databaseFile).close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  lines = [];
});

function env(port: number): NodeJS.ProcessEnv {
  return {
    EDUCATION_DB: databaseFile,
    EDUCATION_PORT: String(port),
    HOST: '127.0.0.1',
    HUB_SUBGRAPH_SIGNING_KEY: 'process-test-signing-key-0123456789abcdef',
  };
}

async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : 0 };
}

describe('runSubgraphProcess', () => {
  it('logs a fatal line and exits 1 when its port is taken, instead of rejecting', async () => {
    const { server, port } = await occupiedPort();
    try {
      const host = new FakeProcess(env(port), { ipc: true });
      await expect(runSubgraphProcess(definition, { host, logger })).resolves.toBeUndefined();
      expect(await host.exited).toBe(1);
      expect(lines).toContainEqual(
        expect.objectContaining({
          level: 60,
          msg: 'education subgraph failed to start',
          err: expect.objectContaining({ code: 'EADDRINUSE' }),
        }),
      );
      expect(host.sent).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('tells its parent it is ready on its port, and stops when the parent goes away', async () => {
    const host = new FakeProcess(env(0), { ipc: true });
    await runSubgraphProcess(definition, { host, logger });
    expect(host.sent).toEqual([{ ready: true, agency: 'education', port: expect.any(Number) }]);
    const { port } = host.sent[0]!;
    expect(port).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    host.emit('disconnect');
    expect(await host.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'stopping', reason: 'parent disconnected' }));
  });

  it('stops at once when the parent went away before it was ready', async () => {
    const host = new FakeProcess(env(0), { ipc: true, connected: false });
    await runSubgraphProcess(definition, { host, logger });
    expect(await host.exited).toBe(0);
    expect(host.sent).toEqual([]);
  });

  it('without an IPC channel, sends nothing, watches for no parent, and stops on SIGTERM', async () => {
    const host = new FakeProcess(env(0));
    await runSubgraphProcess(definition, { host, logger });
    expect(host.listenerCount('disconnect')).toBe(0);
    expect(host.listenerCount('SIGTERM')).toBe(1);
    host.emit('SIGTERM');
    expect(await host.exited).toBe(0);
  });

  it('is the only one to act on termination signals, even outside tests', async () => {
    // Apollo watches SIGTERM itself unless NODE_ENV is "test"; its stop() racing the one in
    // app.close() left app.close() hanging, and the process alive, once the IPC channel held it up.
    const nodeEnv = process.env.NODE_ENV;
    const before = { SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') };
    process.env.NODE_ENV = 'production';
    try {
      const host = new FakeProcess(env(0), { ipc: true });
      await runSubgraphProcess(definition, { host, logger });
      const running = { SIGTERM: process.listenerCount('SIGTERM'), SIGINT: process.listenerCount('SIGINT') };
      host.emit('SIGTERM');
      expect(await host.exited).toBe(0);
      expect(running).toEqual(before);
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  });

  it('does not start without the hub signing key: it would have to serve data unsigned', async () => {
    const { HUB_SUBGRAPH_SIGNING_KEY: _key, ...unsigned } = env(0);
    const host = new FakeProcess(unsigned, { ipc: true });
    await runSubgraphProcess(definition, { host, logger });
    expect(await host.exited).toBe(1);
    expect(host.sent).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 60,
        msg: 'education subgraph failed to start',
        err: expect.objectContaining({ message: expect.stringContaining('HUB_SUBGRAPH_SIGNING_KEY') }),
      }),
    );
  });

  it('refuses to start with plain cursors in production, and warns loudly about them elsewhere', async () => {
    const production = new FakeProcess({ ...env(0), HUB_CURSOR_SEALING: 'off', NODE_ENV: 'production' }, { ipc: true });
    await runSubgraphProcess(definition, { host: production, logger });
    expect(await production.exited).toBe(1);
    expect(production.sent).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 60,
        err: expect.objectContaining({ message: expect.stringContaining('HUB_CURSOR_SEALING=off is for tests only') }),
      }),
    );

    lines = [];
    const testing = new FakeProcess({ ...env(0), HUB_CURSOR_SEALING: 'off' }, { ipc: true });
    await runSubgraphProcess(definition, { host: testing, logger });
    expect(testing.sent).toHaveLength(1);
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringContaining('PLAIN cursors') }));
    testing.emit('disconnect');
    expect(await testing.exited).toBe(0);
  });

  it('refuses a CURSOR_TTL shorter than a cached page may live', async () => {
    const host = new FakeProcess({ ...env(0), CURSOR_TTL: '30m' }, { ipc: true });
    await runSubgraphProcess(definition, { host, logger });
    expect(await host.exited).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 60,
        err: expect.objectContaining({ message: expect.stringContaining('CURSOR_TTL must lie between 2h and 30d') }),
      }),
    );
  });

  it('exits 1 when its database does not exist', async () => {
    const host = new FakeProcess({ ...env(0), EDUCATION_DB: join(dir, 'missing.sqlite') });
    await runSubgraphProcess(definition, { host, logger });
    expect(await host.exited).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 60, msg: expect.stringContaining('database not found') }),
    );
  });
});
