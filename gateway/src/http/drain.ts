import type { FastifyInstance } from 'fastify';
import { sendRefusal } from './refusal';

/** A gateway stopping for a restart without cutting a request. */
export interface Drain {
  /** True once draining began: `/readyz` fails first, so load balancers stop sending. */
  readonly draining: boolean;
  /**
   * Serves on for `delayMs` while readiness fails, then refuses new requests with 503
   * SHUTTING_DOWN and closes the server, which waits for the requests in flight (its `onClose`
   * hooks then stop Apollo Server and flush the audit trail).
   */
  drain(delayMs: number): Promise<void>;
}

/** Installs the refusal of requests that arrive while the server closes; the caller starts the drain. */
export function installDrain(app: FastifyInstance): Drain {
  let draining = false;
  let closing = false;
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    // `connection: close` so a keep-alive client reconnects (to another gateway) rather than reusing this socket.
    reply.header('connection', 'close').header('retry-after', '1');
    return sendRefusal(request, reply, 'SHUTTING_DOWN', 'This gateway is restarting and takes no new requests; retry.');
  });
  return {
    get draining() {
      return draining;
    },
    async drain(delayMs) {
      draining = true;
      // The listening server keeps the process up meanwhile; the wait alone does not.
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
      closing = true;
      await app.close();
    },
  };
}
