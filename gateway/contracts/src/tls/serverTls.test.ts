import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServerTls } from './serverTls';

function selfSigned(dir: string, name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

const dir = mkdtempSync(join(tmpdir(), 'server-tls-'));

it('reads a matching pair; asks clients for certificates only with a clients’ CA', () => {
  const pair = selfSigned(dir, 'one');
  expect(readServerTls(pair)).toMatchObject({ requestCert: false, rejectUnauthorized: false });
  expect(readServerTls({ ...pair, clientCaFile: pair.certFile })).toMatchObject({
    requestCert: true,
    rejectUnauthorized: true,
  });
});

it('refuses a certificate with another key, naming both files', () => {
  const one = selfSigned(dir, 'a');
  const other = selfSigned(dir, 'b');
  expect(() => readServerTls({ certFile: one.certFile, keyFile: other.keyFile })).toThrow(
    new RegExp(`the TLS files ${one.certFile} and ${other.keyFile} do not load`),
  );
});
