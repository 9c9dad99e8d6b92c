import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash, type Hash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Readable, Transform } from 'node:stream';
import type { Logger } from 'pino';
import { ReceiptSigner, receiptClaims, receiptDigest, unverifiedReceiptClaims } from '../receipts';
import { auditedRecordsIfAny, auditedRecordsOf } from '../requestState';

export const RECEIPT_HEADER = 'x-hub-receipt';
/** Where the hub publishes the public keys of its receipts (a JWKS). */
export const RECEIPT_KEYS_PATH = '/.well-known/hub-receipt-keys.json';

/**
 * Signed receipts (docs/guides/receipts.md): every `/graphql` answer written under an audit record
 * leaves with `x-hub-receipt`, a JWS over the digests of the request as received and of the body
 * as sent, naming the records. Runs last among the answer's `onSend` hooks (after the CSV
 * rewrite), so the digest is of the bytes on the wire. A streamed answer (a paged CSV export)
 * gets its receipt as a trailer, over every page's records, once the last byte is out.
 */
export function installReceipts(
  app: FastifyInstance,
  options: { keysFile: string; logger: Pick<Logger, 'info' | 'error'>; now?: () => Date },
): void {
  const signer = ReceiptSigner.open(options.keysFile);
  const unfollow = signer.follow(options.logger);
  const now = options.now ?? (() => new Date());
  const requestHashes = new WeakMap<FastifyRequest, Hash>();

  app.get(RECEIPT_KEYS_PATH, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return signer.keys();
  });

  // The request body as received, hashed as it streams in (before parsing: the bytes the client sent).
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (request.routeOptions.url !== '/graphql' || request.method !== 'POST') return payload;
    const hash = createHash('sha256');
    requestHashes.set(request, hash);
    return payload.pipe(
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
    );
  });

  const requestDigest = (request: FastifyRequest): string => {
    const hash = requestHashes.get(request);
    if (hash) return `sha256:${hash.digest('hex')}`;
    const url = request.raw.url ?? '';
    const query = url.indexOf('?');
    return receiptDigest(query < 0 ? '' : url.slice(query + 1));
  };

  app.addHook('onSend', async (request, reply, payload) => {
    const records = auditedRecordsIfAny(request);
    if (!records.length || reply.statusCode === 304) return payload;
    const digestOfRequest = requestDigest(request);
    const sign = (responseDigest: string) =>
      signer.sign(
        receiptClaims({
          requestId: String(request.id),
          records: auditedRecordsIfAny(request),
          requestDigest: digestOfRequest,
          responseDigest,
          now: now(),
        }),
      );
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      reply.header(RECEIPT_HEADER, sign(receiptDigest(payload)));
      return payload;
    }
    if (!(payload instanceof Readable)) return payload;
    const hash = createHash('sha256');
    const counted = payload.pipe(
      new Transform({
        transform(chunk: Buffer | string, _encoding, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
    );
    const sent = new Promise<string>((resolve, reject) => {
      counted.on('end', () => resolve(`sha256:${hash.digest('hex')}`));
      counted.on('error', reject);
    });
    reply.trailer(RECEIPT_HEADER, async () => sign(await sent));
    return counted;
  });

  app.addHook('onClose', async () => unfollow());
}

/**
 * A page of a paged export was answered (an inner request of the consumer's, with its own
 * receipt): its records join the export's, so the export's receipt names every page's record.
 */
export function notePageReceipt(
  exportRequest: FastifyRequest,
  pageHeaders: IncomingHttpHeaders | OutgoingHttpHeaders,
): void {
  const receipt = pageHeaders[RECEIPT_HEADER];
  if (typeof receipt !== 'string') return;
  const claims = unverifiedReceiptClaims(receipt);
  if (!claims) return;
  const records = auditedRecordsOf(exportRequest);
  for (const { instance, seq, hash } of claims.audit)
    records.add({
      instance,
      seq,
      hash,
      consumer: claims.consumer,
      purpose: claims.purpose,
      case: claims.case,
      grants: claims.grants,
      policyVersion: claims.policyVersion,
      supergraphVersion: claims.supergraphVersion,
    });
}
