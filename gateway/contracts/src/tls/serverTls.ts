import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

/** The files an HTTPS server is given: its certificate chain and key, and for mTLS the CA its clients' certificates must chain to. */
export interface ServerTlsFiles {
  certFile: string;
  keyFile: string;
  /** With it, every client must present a certificate signed by this CA (mutual TLS). */
  clientCaFile?: string | undefined;
}

/** What Node's `https.createServer` (Fastify's `https` option) takes. */
export interface ServerTlsOptions extends SecureContextOptions {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/** Reads the files; a pair that does not load (wrong key for the certificate, not PEM) throws with the files named. */
export function readServerTls(files: ServerTlsFiles): ServerTlsOptions {
  const options: ServerTlsOptions = {
    key: readFileSync(files.keyFile),
    cert: readFileSync(files.certFile),
    ...(files.clientCaFile ? { ca: readFileSync(files.clientCaFile) } : {}),
    requestCert: Boolean(files.clientCaFile),
    rejectUnauthorized: Boolean(files.clientCaFile),
  };
  try {
    createSecureContext(options);
  } catch (error) {
    throw new Error(
      `the TLS files ${files.certFile} and ${files.keyFile}${files.clientCaFile ? ` (clients' CA ${files.clientCaFile})` : ''} do not load: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return options;
}

/** A server whose certificate can be replaced while it serves (Node's `tls.Server`). */
interface ReloadableServer {
  setSecureContext(options: SecureContextOptions): void;
}

/**
 * Follows the TLS files of a serving HTTPS server: when one changes (a renewal, a Kubernetes
 * secret's update), the new pair is loaded and used for the connections that follow — those open
 * keep theirs, so no request is dropped. A pair that does not load is refused and the server keeps
 * the one it has (`onError` says why). Polls the files' status (`intervalMs`), which also sees a
 * file replaced through a symbolic link. Returns the function that stops following.
 */
export function followServerTls(
  server: ReloadableServer,
  files: ServerTlsFiles,
  report: { onReload: () => void; onError: (error: Error) => void },
  intervalMs = 1000,
): () => void {
  const paths = [files.certFile, files.keyFile, ...(files.clientCaFile ? [files.clientCaFile] : [])];
  const changed = (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    try {
      server.setSecureContext(readServerTls(files));
      report.onReload();
    } catch (error) {
      report.onError(error as Error);
    }
  };
  for (const path of paths) watchFile(path, { interval: intervalMs, persistent: false }, changed);
  return () => {
    for (const path of paths) unwatchFile(path, changed);
  };
}
