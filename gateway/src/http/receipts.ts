import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Readable, Transform } from 'node:stream';
import type { Logger } from 'pino';
import { ReceiptSigner, receiptClaims, receiptDigest, unverifiedReceiptClaims } from '../receipts';
import { auditedRecordsIfAny, auditedRecordsOf } from '../requestState';
import { ANSWER_HEADERS } from './answerHeaders';

export const RECEIPT_HEADER = ANSWER_HEADERS.receipt;
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
  const requestHashes = new WeakMap<FastifyRequest, string>();

  app.get(RECEIPT_KEYS_PATH, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return signer.keys();
  });

  // The request body as received, hashed where Fastify reads it whole (its own JSON parser then
  // parses it, protections included): cheaper than a stream of our own in front of every body.
  const parseJson = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (request.routeOptions.url === '/graphql') requestHashes.set(request, receiptDigest(bytes));
    parseJson(request, bytes.toString('utf8'), done);
  });

  const requestDigest = (request: FastifyRequest): string => {
    const hashed = requestHashes.get(request);
    if (hashed) return hashed;
    const url = request.raw.url ?? '';
    const query = url.indexOf('?');
    return receiptDigest(query < 0 ? '' : url.slice(query + 1));
  };

  app.addHook('onSend', async (request, reply, payload) => {
    const audited = auditedRecordsIfAny(request);
    if (!audited || reply.statusCode === 304) return payload;
    const digestOfRequest = requestDigest(request);
    // The records' places in the chain are fixed before they are durable: the receipt is signed
    // while they are written, and the audit gate (the next hook) holds it back until they are.
    const sign = async (responseDigest: string) => {
      const records = await audited.chained();
      return records
        ? await signer.sign(
            receiptClaims({
              requestId: String(request.id),
              records,
              requestDigest: digestOfRequest,
              responseDigest,
              now: now(),
            }),
          )
        : undefined;
    };
    if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const receipt = await sign(receiptDigest(payload));
      if (receipt) reply.header(RECEIPT_HEADER, receipt);
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
    // Nothing to sign only when a record will never be durable: the audit gate then removes
    // this trailer before it is asked for, so the fallback value never goes out.
    reply.trailer(RECEIPT_HEADER, async () => (await sign(await sent)) ?? '');
    return counted;
  });

  app.addHook('onClose', async () => {
    unfollow();
    await signer.close();
  });
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
