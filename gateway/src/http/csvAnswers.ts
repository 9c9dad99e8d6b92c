import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { codedErrorResponse } from '../errors';
import { csvWanted, tabulate, toCsv } from '../export';

/**
 * `Accept: text/csv` on `/graphql`: the operation runs like any other (identity, policy, audit,
 * caches — Apollo Server is asked for JSON), then its answer becomes CSV if it is one table (see
 * `export/tabulate.ts`). Withheld fields are empty cells; their coordinates and codes go in
 * `x-hub-withheld` (`Student.name=GRANT_REQUIRED, …`), since a CSV has no place for errors. An
 * answer with any other error stays the GraphQL JSON answer, so its codes reach the client; an
 * answer that is not one table is refused with 406 NOT_ACCEPTABLE — or sent as JSON when the
 * client's `Accept` also takes JSON.
 */
export function installCsvAnswers(app: FastifyInstance): void {
  const wanted = new WeakMap<FastifyRequest, { jsonAcceptable: boolean }>();
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url !== '/graphql') return;
    const { csv, jsonAcceptable } = csvWanted(request.headers.accept);
    if (!csv) return;
    wanted.set(request, { jsonAcceptable });
    request.headers.accept = 'application/json';
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const want = wanted.get(request);
    if (!want || typeof payload !== 'string') return payload;
    return csvAnswer(request, reply, payload, want.jsonAcceptable);
  });
}

function csvAnswer(request: FastifyRequest, reply: FastifyReply, payload: string, jsonAcceptable: boolean): string {
  let body: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] };
  try {
    body = JSON.parse(payload) as typeof body;
  } catch {
    return payload;
  }
  // A batch, or an answer that is not GraphQL's: leave it as it is.
  if (Array.isArray(body) || typeof body !== 'object' || body === null) return payload;
  const errors = body.errors ?? [];
  const withheld = errors.flatMap((error) => {
    const { coordinate, code } = error.extensions ?? {};
    return typeof coordinate === 'string' && typeof code === 'string' ? [`${coordinate}=${code}`] : [];
  });
  if (withheld.length < errors.length || body.data === undefined || body.data === null) return payload;
  const tabulated = tabulate(body.data);
  if ('refused' in tabulated) {
    if (jsonAcceptable) return payload;
    const refusal = codedErrorResponse('NOT_ACCEPTABLE', `This answer cannot be sent as CSV: ${tabulated.refused}.`);
    reply.code(refusal.status).header('content-type', 'application/json; charset=utf-8');
    reply.header('cache-control', 'no-store');
    return JSON.stringify(refusal.body);
  }
  const operationName = (request.body as { operationName?: unknown } | undefined)?.operationName;
  const fileName = typeof operationName === 'string' && /^\w{1,64}$/.test(operationName) ? operationName : 'export';
  reply.header('content-type', 'text/csv; charset=utf-8; header=present');
  reply.header('content-disposition', `attachment; filename="${fileName}.csv"`);
  if (withheld.length) reply.header('x-hub-withheld', [...new Set(withheld)].join(', '));
  return toCsv(tabulated.table);
}
