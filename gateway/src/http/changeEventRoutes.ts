import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ResponseCache } from '../cache';
import { CHANGE_SIGNATURE_HEADER, CHANGES_CHANNEL, verifyChangeEvent, type ChangeEvent } from '../signing';

/**
 * Agencies' change events purge every cached response holding a changed entity: signed
 * `POST /internal/changes`, and — with Redis — the changes channel (the Redis is the trust
 * boundary there). Returns the subscription to close, if any.
 */
export function installChangeEvents(
  app: FastifyInstance,
  options: { cache: ResponseCache; signingKey: string; redisUrl: string | undefined; logger: Logger },
): { close(): void } {
  const { cache } = options;
  app.post('/internal/changes', async (request, reply) => {
    const verified = verifyChangeEvent(
      options.signingKey,
      JSON.stringify(request.body ?? null),
      request.headers[CHANGE_SIGNATURE_HEADER] as string | undefined,
    );
    if (!verified.ok)
      return reply.code(401).send({
        errors: [{ message: `change event refused: ${verified.reason}`, extensions: { code: 'UNAUTHENTICATED' } }],
      });
    const removed = await applyChangeEvent(cache, verified.event);
    request.log.info(
      { agency: verified.event.agency, changes: verified.event.changes.length, removed },
      'change event',
    );
    return { removed };
  });
  // Pub/sub reaches every node of a Cluster; the first node given will do.
  const subscriber = options.redisUrl
    ? subscribeToChanges(options.redisUrl.split(',')[0]!, cache, options.logger)
    : undefined;
  return { close: () => subscriber?.disconnect() };
}

/** An agency's change event, however it arrived: purge every cached response holding a changed entity. */
function applyChangeEvent(cache: ResponseCache, event: ChangeEvent): Promise<number> {
  return cache.invalidate(event.changes, 'change-event');
}

function subscribeToChanges(url: string, cache: ResponseCache, logger: Logger): Redis {
  const subscriber = new Redis(url, { retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
  subscriber.on('error', () => undefined); // the cache store reports Redis' state
  void subscriber.subscribe(CHANGES_CHANNEL).catch(() => undefined);
  subscriber.on('message', (_channel, message) => {
    try {
      const event = JSON.parse(message) as ChangeEvent;
      if (!Array.isArray(event.changes)) return;
      void applyChangeEvent(cache, event).catch((error: unknown) =>
        logger.warn({ err: error }, 'change event not applied'),
      );
    } catch {
      logger.warn('malformed change event on Redis');
    }
  });
  return subscriber;
}
