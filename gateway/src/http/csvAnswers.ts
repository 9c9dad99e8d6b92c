import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { disputeNoticesHeader, noticesOfExtensions, type DisputeNotice } from '../disputes';
import { codedErrorResponse } from '../errors';
import { CASE_HEADER } from '../policy';
import { ANSWER_HEADERS } from './answerHeaders';
import {
  csvRows,
  csvWanted,
  exportPageInfo,
  EXPORT_AFTER_VARIABLE,
  listColumnsOf,
  pagedExportOf,
  parseOperation,
  tabulate,
  toCsv,
  type PagedExport,
} from '../export';

export interface CsvAnswersOptions {
  /** The API schema new requests validate against (a paged rewrite must validate too). */
  schema(): GraphQLSchema;
  /** The most rows one export sends (`EXPORT_MAX_ROWS`). */
  maxRows: number;
  /** Rows per page the gateway asks for (the largest `first` allowed, `LIMIT_LIST_SIZE`). */
  pageSize: number;
  /** No rewritten operations when only registered ones may run (`PERSISTED_OPERATIONS=only`). */
  allowListOnly: boolean;
  /** Told of each further page's answer of a paged export (its receipt joins the export's). */
  onPageAnswer?: (exportRequest: FastifyRequest, pageHeaders: OutgoingHttpHeaders) => void;
}

interface Wanted {
  jsonAcceptable: boolean;
  paged?: PagedExport;
  /** The body as asked of Apollo Server (the paged rewrite, when there is one). */
  body?: ExportBody;
}

interface ExportBody {
  query?: unknown;
  operationName?: unknown;
  variables?: Record<string, unknown>;
  extensions?: unknown;
}

/**
 * Headers a page request carries over from the export's request: who asks, for what, and for
 * which case (a case-bound grant checks it on every page).
 */
const PAGE_HEADERS = ['authorization', 'x-data-purpose', CASE_HEADER];

/**
 * `Accept: text/csv` on `/graphql`: the operation runs like any other (identity, policy, audit,
 * caches — Apollo Server is asked for JSON), then its answer becomes CSV if it is one table (see
 * `export/`). Withheld fields are empty cells; their coordinates and codes go in `x-hub-withheld`
 * (`Student.name=GRANT_REQUIRED, …`), since a CSV has no place for errors. An answer with any
 * other error stays the GraphQL JSON answer, so its codes reach the client; an answer that is not
 * one table is refused with 406 NOT_ACCEPTABLE — or sent as JSON when `Accept` also takes JSON.
 *
 * A consumer's export of a connection is paged by the gateway (`export/pagedExport.ts`): the
 * first page answers as above, then further pages — each an ordinary request of the consumer's,
 * with its own audit record and rate-limit count — are streamed after it, up to `maxRows`. The
 * trailer `x-hub-export` says how it ended: `complete`, `truncated` at the limit, or `stopped`
 * with the code that stopped it.
 */
export function installCsvAnswers(app: FastifyInstance, options: CsvAnswersOptions): void {
  const wanted = new WeakMap<FastifyRequest, Wanted>();
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url !== '/graphql') return;
    const { csv, jsonAcceptable } = csvWanted(request.headers.accept);
    if (!csv) return;
    wanted.set(request, { jsonAcceptable });
    request.headers.accept = 'application/json';
  });
  app.addHook('preValidation', async (request) => {
    const want = wanted.get(request);
    if (!want || request.method !== 'POST') return;
    const body = request.body as ExportBody | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body) || typeof body.query !== 'string') return;
    want.body = body;
    // Paged only for an identified consumer's own text: a hash-only or registered operation runs as sent.
    if (options.allowListOnly || body.extensions || !request.headers.authorization) return;
    const variables = body.variables && typeof body.variables === 'object' ? body.variables : {};
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;
    const paged = pagedExportOf(options.schema(), body.query, operationName, variables, options.pageSize);
    if (!paged) return;
    want.paged = paged;
    want.body = { ...body, query: paged.query, variables: { ...variables, [EXPORT_AFTER_VARIABLE]: paged.firstAfter } };
    request.body = want.body;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const want = wanted.get(request);
    if (!want || typeof payload !== 'string') return payload;
    return csvAnswer(app, request, reply, payload, want, options);
  });
}

function csvAnswer(
  app: FastifyInstance,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: string,
  want: Wanted,
  options: Pick<CsvAnswersOptions, 'maxRows' | 'onPageAnswer'>,
): string | Readable {
  const { maxRows } = options;
  const page = readPage(payload);
  if (!page) return payload;
  const operationName = typeof want.body?.operationName === 'string' ? want.body.operationName : undefined;
  // Columns from the operation, so that every page has the same ones; read once for the whole export.
  const columns = typeof want.body?.query === 'string' ? listColumnsOf(want.body.query, operationName) : undefined;
  const tabulated = tabulate(page.data, columns);
  if ('refused' in tabulated) {
    if (want.jsonAcceptable) return payload;
    const refusal = codedErrorResponse('NOT_ACCEPTABLE', `This answer cannot be sent as CSV: ${tabulated.refused}.`);
    reply.code(refusal.status).header('content-type', 'application/json; charset=utf-8');
    reply.header('cache-control', 'no-store');
    return JSON.stringify(refusal.body);
  }
  // Named after the operation: the one asked for, or the document's only one.
  const named =
    operationName ??
    (typeof want.body?.query === 'string'
      ? parseOperation(want.body.query, undefined)?.operation.name?.value
      : undefined);
  const fileName = named && /^\w{1,64}$/.test(named) ? named : 'export';
  reply.header('content-type', 'text/csv; charset=utf-8; header=present');
  reply.header('content-disposition', `attachment; filename="${fileName}.csv"`);
  if (page.withheld.length) reply.header(ANSWER_HEADERS.withheld, page.withheld.join(', '));
  const { table } = tabulated;
  const first = toCsv({ ...table, rows: table.rows.slice(0, maxRows) });
  const next = want.paged && exportPageInfo(page.data, want.paged.connectionPath);
  if (!want.paged || !want.body) {
    const disputes = disputeNoticesHeader(page.disputes);
    if (disputes) reply.header(ANSWER_HEADERS.disputes, disputes);
    return first;
  }

  // A paged export: stream further pages after the first, each asked as the consumer; the trailer says how it ended.
  const { paged, body } = want;
  let ending = `complete; rows=${Math.min(table.rows.length, maxRows)}`;
  reply.trailer(ANSWER_HEADERS.export, async () => ending);
  // The open disputes over values of any page sent, known only once the last page is: a trailer too.
  const disputes = new Map<string, DisputeNotice>(page.disputes.map((n) => [n.id, n]));
  reply.trailer(ANSWER_HEADERS.disputes, async () => disputeNoticesHeader([...disputes.values()]) ?? 'none');
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  for (const name of PAGE_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  async function* pages(): AsyncGenerator<string> {
    yield first;
    let rows = table.rows.length;
    if (rows > maxRows || (rows === maxRows && next?.hasNextPage)) {
      ending = `truncated; rows=${maxRows}`;
      return;
    }
    let after: string | null = next?.hasNextPage ? next.endCursor : null;
    while (after) {
      const answer = await app.inject({
        method: 'POST',
        url: '/graphql',
        headers,
        payload: { ...body, variables: { ...body.variables, [EXPORT_AFTER_VARIABLE]: after } },
      });
      options.onPageAnswer?.(request, answer.headers);
      const more = answer.statusCode === 200 ? readPage(answer.body) : undefined;
      const moreTable = more ? tabulate(more.data, columns) : undefined;
      if (!more || !moreTable || 'refused' in moreTable) {
        ending = `stopped; ${pageFailure(answer.body) ?? `status ${answer.statusCode}`}`;
        return;
      }
      const room = maxRows - rows;
      for (const notice of more.disputes) disputes.set(notice.id, notice);
      yield csvRows(moreTable.table.rows.slice(0, room));
      rows += Math.min(room, moreTable.table.rows.length);
      const info = exportPageInfo(more.data, paged.connectionPath);
      after = info?.hasNextPage ? info.endCursor : null;
      if (rows >= maxRows && (moreTable.table.rows.length > room || after)) {
        ending = `truncated; rows=${rows}`;
        return;
      }
    }
    ending = `complete; rows=${rows}`;
  }
  return Readable.from(pages(), { objectMode: false });
}

/**
 * An answer's data, withheld coordinates and dispute notices, when it is data with no error other
 * than withheld fields.
 */
function readPage(payload: string): { data: unknown; withheld: string[]; disputes: DisputeNotice[] } | undefined {
  let body: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[]; extensions?: unknown };
  try {
    body = JSON.parse(payload) as typeof body;
  } catch {
    return undefined;
  }
  if (Array.isArray(body) || typeof body !== 'object' || body === null) return undefined;
  const errors = body.errors ?? [];
  const withheld = errors.flatMap((error) => {
    const { coordinate, code } = error.extensions ?? {};
    return typeof coordinate === 'string' && typeof code === 'string' ? [`${coordinate}=${code}`] : [];
  });
  if (withheld.length < errors.length || body.data === undefined || body.data === null) return undefined;
  return { data: body.data, withheld: [...new Set(withheld)], disputes: noticesOfExtensions(body.extensions) };
}

/** The code that stopped a page, for the trailer (codes only: never a message or a value). */
function pageFailure(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] }).errors?.find(
      (e) => typeof e.extensions?.code === 'string',
    )?.extensions?.code;
    return typeof code === 'string' && /^[A-Z_]+$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
