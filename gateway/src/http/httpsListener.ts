import { followServerTls, readServerTls, type ServerTlsFiles } from '@cdo-hub/contracts';
import type { FastifyInstance } from 'fastify';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';

/**
 * HTTPS on the gateway port when `TLS_CERT_FILE` and `TLS_KEY_FILE` are set (mutual TLS with
 * `TLS_CLIENT_CA_FILE`): Fastify's `https` option, read once at start — a pair that does not load
 * stops the start with the files named.
 */
export function httpsOption(tls: ServerTlsFiles | undefined): object {
  return tls ? { https: readServerTls(tls) } : {};
}

/**
 * Renewed certificates are used from the next connection on, without a restart and without
 * dropping a request (`followServerTls`); following stops when the server closes.
 */
export function followCertificates(app: FastifyInstance, tls: ServerTlsFiles | undefined, logger: Logger): void {
  if (!tls) return;
  const stop = followServerTls(app.server as unknown as TlsServer, tls, {
    onReload: () => logger.info({ certFile: tls.certFile }, 'TLS certificate reloaded'),
    // A renewal writes the certificate and the key one after the other: the first of the two may not match yet.
    onError: (error) =>
      logger.warn({ err: error }, 'TLS files changed but do not load: still serving the previous pair'),
  });
  app.addHook('onClose', async () => stop());
}
