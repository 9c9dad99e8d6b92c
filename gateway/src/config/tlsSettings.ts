import { z } from 'zod';
import { setting } from './setting';

/** HTTPS on the gateway port, mutual TLS, and the CAs trusted for agencies' `https://` URLs (docs/guides/operators.md#tls). */
export const TLS_SETTINGS = {
  TLS_CERT_FILE: setting(
    z.string().min(1).optional(),
    '—',
    'serve HTTPS on the gateway port with this certificate chain (PEM; with `TLS_KEY_FILE`); a renewed file is used from the next connection on',
  ),
  TLS_KEY_FILE: setting(z.string().min(1).optional(), '—', 'the private key of `TLS_CERT_FILE` (PEM)'),
  TLS_CLIENT_CA_FILE: setting(
    z.string().min(1).optional(),
    '—',
    'mutual TLS: every client must present a certificate signed by this CA (PEM) before any request is read',
  ),
  SUBGRAPH_CA_FILE: setting(
    z.string().min(1).optional(),
    "the system's",
    "certificate authorities (PEM bundle) trusted for agencies' `https://` subgraph URLs, added to Node's own",
  ),
};
