import { readSubjectKey } from '@cdo-hub/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { SubjectIndex, subjectLookups, transparencyAnswer } from '../accessLog';
import type { ConsumerDirectory } from '../consumers';
import { bearerTokenOf, TokenLifetimeError, type TokenVerifier } from '../identity';
import { serveWebBundle } from '../webBundle';
import { AdminError, handle } from './adminRoutes';

export interface TransparencyOptions {
  verify: TokenVerifier;
  /** The folder of every audit chain (`AUDIT_DIR`), where the subject index lives. */
  auditDir: string;
  /** The agencies served, whose subject keys digest the person's identifier. */
  agencies: () => readonly string[];
  /** `<NAME>_SUBJECT_KEY` values (or `…_FILE`) as configured. */
  subjectKeys: Readonly<Record<string, string>>;
  production: boolean;
  consumers: () => ConsumerDirectory;
  logger: Logger;
}

/**
 * `/transparency`: a person's (or organisation's) own access log (PIPL art. 44–45), in Chinese.
 * The page holds nothing; its API, `GET /transparency/api/reads`, answers a token carrying a
 * `subject` claim (`hub token --subject ID`) with the reads of that subject's records at every
 * agency, and nothing else: the subject comes from the signed token, never from the request, so no
 * one can ask about someone else. A consumer's token is refused (SUBJECT_IDENTITY_REQUIRED), as a
 * subject's token is at `/graphql` (SUBJECT_NOT_A_CONSUMER).
 */
export async function registerTransparencyRoutes(app: FastifyInstance, options: TransparencyOptions): Promise<void> {
  await serveWebBundle(app, { name: 'transparency', entry: 'transparency.js', prefix: '/transparency/assets/' });
  let index: SubjectIndex | undefined;
  let follower: NodeJS.Timeout | undefined;
  app.addHook('onClose', async () => {
    clearInterval(follower);
    index?.close();
  });
  // Opened at the first lookup (a gateway nobody asks creates no file); from then on it follows the
  // trail every few seconds, a slice at a time between other work, so a lookup finds little to index.
  const openIndex = (): SubjectIndex => {
    if (index) return index;
    // A short wait for another process's catch-up: the gateway's event loop waits with it.
    const opened = (index = SubjectIndex.open(options.auditDir, { busyTimeoutMs: 200 }));
    let running = false;
    const slice = () => {
      try {
        if (opened.catchUp(FOLLOW_SLICE).more) return void setImmediate(slice);
      } catch (error) {
        options.logger.warn({ err: error }, 'the subject index could not follow the audit trail');
      }
      running = false;
    };
    follower = setInterval(() => {
      if (running) return;
      running = true;
      slice();
    }, FOLLOW_EVERY_MS).unref();
    return opened;
  };
  const keys = () => {
    const unavailable: string[] = [];
    const found = options.agencies().flatMap((agency) => {
      try {
        return [{ agency, key: readSubjectKey(agency, options.subjectKeys, options.production) }];
      } catch (error) {
        options.logger.warn({ agency, err: error }, 'no subject key for this agency: its reads are not looked up');
        unavailable.push(agency);
        return [];
      }
    });
    return { found, unavailable };
  };

  app.get('/transparency', async (_, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .send(TRANSPARENCY_PAGE),
  );

  app.get(
    '/transparency/api/reads',
    handle(async (request, reply) => {
      const subject = await subjectOf(request, options.verify);
      const { found: agencyKeys, unavailable } = keys();
      const opened = openIndex();
      // A slice at most on the request path: a long backlog (after a restore) is the follower's to take, not one request's.
      let complete = false;
      try {
        complete = !opened.catchUp(FOLLOW_SLICE).more;
      } catch (error) {
        options.logger.warn({ err: error }, 'the subject index could not catch up: answering from what it holds');
      }
      const reads = opened.lookup(subjectLookups(subject, agencyKeys));
      reply.header('cache-control', 'no-store');
      return transparencyAnswer(
        subject,
        agencyKeys.map((k) => k.agency),
        reads,
        options.consumers(),
        { unavailable, complete },
      );
    }),
  );
}

/** The subject the request's token is for; refused without a token, with a bad one, or with one naming no subject. */
async function subjectOf(request: FastifyRequest, verify: TokenVerifier): Promise<string> {
  const token = bearerTokenOf(request.headers.authorization?.trim() ?? '');
  if (!request.headers.authorization)
    throw new AdminError('UNAUTHENTICATED', 'Sign in with your token to see who read your records.');
  if (!token) throw new AdminError('INVALID_TOKEN', 'The Authorization header must be `Bearer <token>`.');
  try {
    const claims = await verify(token);
    if (claims.subject === undefined)
      throw new AdminError(
        'SUBJECT_IDENTITY_REQUIRED',
        "This page answers a person about their own records: sign in with a data subject's token, not a department's.",
      );
    return claims.subject;
  } catch (error) {
    if (error instanceof AdminError) throw error;
    if (error instanceof TokenLifetimeError)
      throw new AdminError(error.code, `The token was refused: ${error.message}.`);
    throw new AdminError('INVALID_TOKEN', 'The token was refused.');
  }
}

/** How often the index follows the trail, and how many records it takes per chain between other work. */
const FOLLOW_EVERY_MS = 5_000;
const FOLLOW_SLICE = 2_000;

const TRANSPARENCY_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>我的数据被谁查阅 · cdo-hub</title>
<link rel="stylesheet" href="/transparency/assets/transparency.css">
</head>
<body>
<div id="transparency"></div>
<script type="module" src="/transparency/assets/transparency.js"></script>
</body>
</html>
`;
