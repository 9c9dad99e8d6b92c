import Fastify, { type FastifyInstance } from 'fastify';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { awaitUnreadBody, installHttpErrorHandlers } from '../errors';

/**
 * A refusal of an oversized body must reach a client that is still uploading. Raw sockets, so
 * the test controls when the client reads: it reads only after the server has closed the
 * connection, which is exactly when a reset (the server closing with unread data) loses the answer.
 */
const LIMIT = 16 * 1024;
let app: FastifyInstance;
let serverClosed: Promise<void>[] = [];

beforeEach(async () => {
  app = Fastify({ bodyLimit: LIMIT, logger: false });
  installHttpErrorHandlers(app, { error: () => undefined });
  app.post('/graphql', async () => ({ data: null }));
  serverClosed = [];
  app.server.on('connection', (socket: Socket) => {
    serverClosed.push(new Promise((resolve) => socket.once('close', () => resolve())));
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
});

afterEach(() => app.close());

/**
 * A slow uploader: sends a body `size` bytes long in 64 kB pieces, one every few milliseconds, and
 * reads nothing until it has sent the last piece and the server has closed the connection.
 */
async function uploadSlowlyThenRead(size: number, declareLength: boolean): Promise<string> {
  const { port } = app.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  socket.pause();
  let failure: string | undefined;
  socket.on('error', (error: NodeJS.ErrnoException) => (failure ??= `socket error ${error.code}`));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const framing = declareLength ? `Content-Length: ${size}` : 'Transfer-Encoding: chunked';
  socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`);
  const piece = Buffer.alloc(64 * 1024, 0x20);
  for (let sent = 0; sent < size && !socket.destroyed; sent += piece.length) {
    socket.write(
      declareLength
        ? piece
        : Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]),
    );
    await new Promise((resolve) => setTimeout(resolve, 5)); // the pace of a slow client, not a wait for anything
  }
  if (!declareLength && !socket.destroyed) socket.write('0\r\n\r\n');
  await until(() => serverClosed.length > 0);
  await serverClosed[0];
  if (socket.destroyed) return failure ?? 'closed before the answer was read';
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.once('close', () => resolve(failure ?? text));
    socket.resume();
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

it.each([
  ['declared length over the limit (refused before reading)', true],
  ['chunked body that grows past the limit', false],
])('answers 413 PAYLOAD_TOO_LARGE to a client still uploading: %s', async (_label, declareLength) => {
  const answer = await uploadSlowlyThenRead(1024 * 1024, declareLength);
  expect(answer).toMatch(/^HTTP\/1\.1 413 /);
  expect(answer).toContain('"code":"PAYLOAD_TOO_LARGE"');
});

it('stops waiting for a body that goes on past the bound, and when the time is up', async () => {
  const endless = Object.assign(
    new Readable({
      read() {
        setImmediate(() => this.push(Buffer.alloc(64 * 1024)));
      },
    }),
    { complete: false },
  );
  await expect(awaitUnreadBody(endless, { maxBytes: 1024 * 1024, maxMs: 60_000 })).resolves.toBeUndefined();
  endless.destroy();
  const silent = Object.assign(new Readable({ read() {} }), { complete: false });
  const started = Date.now();
  await awaitUnreadBody(silent, { maxBytes: 1024, maxMs: 50 });
  expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  silent.destroy();
});

it('does not wait for a body that was read whole', async () => {
  const read = Object.assign(Readable.from([]), { complete: true });
  await expect(awaitUnreadBody(read)).resolves.toBeUndefined();
});
