import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate authority a test makes, and the certificates it signs: PEM files in a folder of the test's own. */
export interface TestAuthority {
  dir: string;
  caFile: string;
  /** A server certificate for 127.0.0.1 and localhost (a new key and serial each call). */
  server(name: string): { certFile: string; keyFile: string; serial: string };
  /** A client certificate with this common name. */
  client(name: string): { certFile: string; keyFile: string };
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Makes a CA with OpenSSL (the `openssl` command every Debian/Ubuntu image has). */
export function makeTestAuthority(): TestAuthority {
  const dir = mkdtempSync(join(tmpdir(), 'cdo-hub-tls-'));
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=cdo-hub test CA',
  );
  const sign = (name: string, subject: string) => {
    openssl(
      dir,
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subject,
    );
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
    return { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
  };
  const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    server(name) {
      write(`${name}.ext`, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
      const files = sign(name, `/CN=${name}`);
      const serial = execFileSync('openssl', ['x509', '-in', files.certFile, '-noout', '-serial'])
        .toString()
        .trim()
        .split('=')[1]!;
      return { ...files, serial };
    },
    client(name) {
      write(`${name}.ext`, 'extendedKeyUsage=clientAuth\n');
      return sign(name, `/CN=${name}`);
    },
  };
}

/** A PEM file's text. */
export function pem(file: string): string {
  return readFileSync(file, 'utf8');
}
