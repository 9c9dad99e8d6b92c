import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { sendRefusal } from './refusal';

/** A gateway stopping for a restart without cutting a request. */
export interface Drain {
  /** True once draining began: `/readyz` fails first, so load balancers stop sending. */
  readonly draining: boolean;
  /**
   * Serves on for `delayMs` while readiness fails, then refuses new requests with 503
   * SHUTTING_DOWN and closes the server, which waits for the requests in flight (its `onClose`
   * hooks then stop Apollo Server and flush the audit trail). Answers sent while closing end their
   * connection, and kept-alive connections that fall idle are closed as they do: a client that
   * keeps its connection open after its last answer must not hold the drain for the keep-alive
   * timeout (72 s in Fastify), past `SHUTDOWN_TIMEOUT_MS`.
   */
  drain(delayMs: number): Promise<void>;
  /** Names the drain's step now under way (logged if the drain runs out of time). */
  step(name: string): void;
  /** What the drain is waiting for: its step and the requests still open (a drain that timed out logs it). */
  progress(): DrainProgress;
}

export interface DrainProgress {
  step: string;
  openRequests: { method: string; url: string; ageMs: number; headersSent: boolean; ended: boolean }[];
}

const IDLE_SWEEP_MS = 100;

/** Installs the refusal of requests that arrive while the server closes; the caller starts the drain. */
export function installDrain(app: FastifyInstance): Drain {
  let draining = false;
  let closing = false;
  let step = 'serving';
  // Requests whose connection has not closed their response yet: what a stuck drain waits for.
  const open = new Map<ServerResponse, { method: string; url: string; startedAt: number }>();
  app.addHook('onRequest', async (request, reply) => {
    const response = reply.raw;
    open.set(response, { method: request.method, url: request.url, startedAt: performance.now() });
    // Emitted once the response is finished or its connection is gone, whichever comes first.
    response.once('close', () => open.delete(response));
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    // `connection: close` so a keep-alive client reconnects (to another gateway) rather than reusing this socket.
    reply.header('connection', 'close').header('retry-after', '1');
    return sendRefusal(request, reply, 'SHUTTING_DOWN', 'This gateway is restarting and takes no new requests; retry.');
  });
  // A request in flight when the close began: its answer is the connection's last.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  return {
    get draining() {
      return draining;
    },
    step(name) {
      step = name;
    },
    progress() {
      const now = performance.now();
      return {
        step,
        openRequests: [...open].map(([response, { method, url, startedAt }]) => ({
          method,
          url,
          ageMs: Math.round(now - startedAt),
          headersSent: response.headersSent,
          ended: response.writableEnded,
        })),
      };
    },
    async drain(delayMs) {
      draining = true;
      step = 'serving while readiness fails';
      // The listening server keeps the process up meanwhile; the wait alone does not.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      closing = true;
      step = 'closing the server: waiting for the requests in flight';
      // Answers that were already under way (streamed CSV) cannot carry the header: their
      // connections are closed once idle. Node's server.close() closes the idle ones only once.
      const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
    },
  };
}
