/** The part of Node's `IncomingMessage` a refusal needs to let the rest of a body arrive. */
export interface UnreadBody {
  readonly complete: boolean;
  readonly destroyed: boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end' | 'close' | 'error', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'end' | 'close' | 'error', listener: () => void): unknown;
  resume(): unknown;
}

/** How much of a refused body is read and thrown away before the answer goes anyway. */
export const UNREAD_BODY_BOUNDS = { maxBytes: 8 * 1024 * 1024, maxMs: 5_000 };

/**
 * Resolves once the client has sent the rest of a request body the server will not use — read and
 * discarded, never kept — or once `maxBytes` more arrived or `maxMs` passed.
 *
 * A refusal sent while the client is still uploading (an oversized body: Fastify answers 413 with
 * `Connection: close`) makes the server close a socket that still receives data; the peer's
 * kernel then sees a reset and drops the answer it had not read yet, so the client reports
 * `EPIPE` / `ECONNRESET` instead of the coded refusal. Waiting for the upload to end (a "lingering
 * close") lets every well-behaved client read its refusal; the bounds keep a client that never
 * stops sending from holding the connection.
 */
export function awaitUnreadBody(request: UnreadBody, bounds = UNREAD_BODY_BOUNDS): Promise<void> {
  if (request.complete || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let discarded = 0;
    const finish = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', finish);
      request.off('close', finish);
      request.off('error', finish);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > bounds.maxBytes) finish();
    };
    const timer = setTimeout(finish, bounds.maxMs);
    request.on('data', onData);
    request.on('end', finish);
    request.on('close', finish);
    request.on('error', finish);
    request.resume();
  });
}
