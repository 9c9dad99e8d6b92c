import { loadGatewayConfig } from '@cdo-hub/gateway/config';
import { readAuditTrail } from '@cdo-hub/gateway/audit';
import {
  publicReceiptKeys,
  readReceiptKeys,
  rotateReceiptKey,
  verifyReceipt,
  type ReceiptClaims,
} from '@cdo-hub/gateway/receipts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type JSONWebKeySet = Parameters<typeof verifyReceipt>[0]['keys'];

const KEYS_PATH = '/.well-known/hub-receipt-keys.json';

/** `hub receipt verify`: the verdict, one line (or JSON), and whether it holds. */
export async function verifyReceiptCommand(
  options: { receipt: string; body: string; request?: string; keys?: string; trail?: boolean | string; json?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ valid: boolean; text: string }> {
  const receipt = existsSync(options.receipt) ? readFileSync(options.receipt, 'utf8').trim() : options.receipt.trim();
  const keys = await loadKeys(options.keys, env);
  const verdict = await verifyReceipt({
    receipt,
    keys,
    body: readFileSync(options.body),
    ...(options.request ? { request: readFileSync(options.request) } : {}),
  });
  if (verdict.valid && options.trail)
    verdict.problems.push(
      ...(await missingFromTrail(verdict.claims!, typeof options.trail === 'string' ? options.trail : undefined, env)),
    );
  verdict.valid = verdict.problems.length === 0;
  if (options.json) return { valid: verdict.valid, text: JSON.stringify(verdict, null, 2) };
  if (!verdict.valid) return { valid: false, text: `INVALID: ${verdict.problems.join('; ')}` };
  const claims = verdict.claims!;
  const records = claims.audit.map((record) => `${record.instance}#${record.seq}`).join(', ');
  return {
    valid: true,
    text: `valid${options.trail ? ' and in the trail' : ''}: request ${claims.requestId} by ${claims.consumer}${claims.purpose ? ` for ${claims.purpose}` : ''}${claims.case ? `, case ${claims.case}` : ''} at ${claims.time}, audit record ${records}, key ${verdict.kid}`,
  };
}

/**
 * The records a receipt names that this hub's trail does not hold with that hash (`--trail`, on
 * the hub's machine): a receipt is only as good as the record it names.
 */
async function missingFromTrail(
  claims: ReceiptClaims,
  dir: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string[]> {
  const config = loadGatewayConfig(env);
  if (!dir && config.auditRedisUrl)
    return [
      'the records are on the audit Redis stream (AUDIT_REDIS_URL): archive them (hub audit archive --dir D), then --trail D',
    ];
  const trailDir = dir ?? config.auditTrailDir;
  // A paged export is signed when its last page is out: its first pages' records may be hours older.
  const since = new Date(Date.parse(claims.time) - 24 * 3600_000);
  const problems: string[] = [];
  for (const named of claims.audit) {
    const slot = /-worker-(\d+)$/.exec(named.instance)?.[1];
    if (
      !dir &&
      named.instance !== config.auditInstance &&
      named.instance !== `${config.auditInstance}-worker-${slot}`
    ) {
      problems.push(
        `record ${named.instance}#${named.seq} is on a chain this hub does not write (${config.auditInstance})`,
      );
      continue;
    }
    let found: string | undefined;
    // A worker's chain is its folder inside the trail (an archive of one instance's stream is the folder itself).
    const chainDir = slot && existsSync(join(trailDir, `worker-${slot}`)) ? join(trailDir, `worker-${slot}`) : trailDir;
    for await (const record of readAuditTrail(chainDir, { since }))
      if (record.seq === named.seq) {
        found = record.hash;
        break;
      }
    if (found !== named.hash)
      problems.push(
        found
          ? `record ${named.instance}#${named.seq} in the trail has another hash (${found})`
          : `record ${named.instance}#${named.seq} is not in the trail at ${trailDir}`,
      );
  }
  return problems;
}

/** The JWKS to verify against: a URL, a JWKS file, a key file, or the configured gateway's. */
async function loadKeys(source: string | undefined, env: NodeJS.ProcessEnv): Promise<JSONWebKeySet> {
  if (source && !/^https?:\/\//.test(source)) {
    const parsed = JSON.parse(readFileSync(source, 'utf8')) as { keys?: { d?: string }[] };
    // A key file holds private halves: only the public ones are used.
    return parsed.keys?.some((key) => key.d) ? publicReceiptKeys(readReceiptKeys(source)) : (parsed as JSONWebKeySet);
  }
  let url = source;
  if (!url) {
    const config = loadGatewayConfig(env);
    // On the hub's own machine the key file is at hand; elsewhere, the gateway's published keys.
    if (existsSync(config.receiptKeysFile)) return publicReceiptKeys(readReceiptKeys(config.receiptKeysFile));
    url = `${config.tls ? 'https' : 'http'}://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}${KEYS_PATH}`;
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the receipt keys at ${url} answered ${response.status}`);
  return (await response.json()) as JSONWebKeySet;
}

function keyFile(file: string | undefined, env: NodeJS.ProcessEnv): string {
  return file ?? loadGatewayConfig(env).receiptKeysFile;
}

/** `hub receipt rotate-key`: the new key's id, and when it starts signing. */
export function rotateReceiptKeyCommand(
  options: { file?: string; activateAfter?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  const path = keyFile(options.file, env);
  const after = Number(options.activateAfter ?? '120');
  if (!Number.isInteger(after) || after < 0)
    throw new Error('--activate-after takes a whole number of seconds, 0 or more');
  const added = rotateReceiptKey(path, new Date(), after);
  return `${added.kid} is published now and signs receipts from ${added.activeFrom ?? 'now'} (${path}); the keys before it stay published for verification`;
}

/** `hub receipt keys`: the JWKS. */
export function publicKeysCommand(options: { file?: string }, env: NodeJS.ProcessEnv = process.env): string {
  return JSON.stringify(publicReceiptKeys(readReceiptKeys(keyFile(options.file, env))), null, 2);
}
