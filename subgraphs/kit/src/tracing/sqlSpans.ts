import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from '@opentelemetry/semantic-conventions';
import { activeTracer } from './tracingRuntime';

/**
 * A DataLoader batch function that runs as a span (`dataloader.batch <kind>`) counting its keys —
 * never naming them: they are row keys. `kind` is what precedes the first `:` of the loader's name
 * (the rest may hold a page's cursor key or a filter's value). Tracing off, the batch itself.
 */
export function tracedBatch<K, V>(
  name: string,
  batch: (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>>,
): (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>> {
  const tracer = activeTracer();
  if (!tracer) return batch;
  const kind = name.includes(':') ? name.slice(0, name.indexOf(':')) : name;
  return (keys) => {
    // Outside a traced call (seeding, tests) a batch is nobody's child: no span of its own.
    if (!trace.getActiveSpan()) return batch(keys);
    return tracer.startActiveSpan(
      `dataloader.batch ${kind}`,
      { attributes: { 'cdo_hub.loader': kind, 'cdo_hub.batch.size': keys.length } },
      async (span) => {
        try {
          return await batch(keys);
        } catch (error) {
          span.setAttribute(ATTR_ERROR_TYPE, (error as Error).name || 'Error');
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  };
}

/** Attributes of a statement, by its text: the operation and the first table it reads, never its parameters. */
const statements = new Map<string, { name: string; attributes: Attributes }>();

function describeStatement(sql: string): { name: string; attributes: Attributes } {
  let described = statements.get(sql);
  if (described) return described;
  const operation = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? 'SQL';
  // The first table named after FROM, JOIN, INTO or UPDATE, skipping table-valued functions (json_each(?)).
  const table = /\b(?:FROM|JOIN|INTO|UPDATE)\s+([A-Za-z_]\w*)\b(?!\s*\()/i.exec(sql)?.[1];
  described = {
    name: table ? `${operation} ${table}` : operation,
    attributes: {
      [ATTR_DB_SYSTEM_NAME]: 'sqlite',
      [ATTR_DB_OPERATION_NAME]: operation,
      ...(table ? { [ATTR_DB_COLLECTION_NAME]: table } : {}),
    },
  };
  // The resolvers' statements are a fixed set of texts; the bound only guards against a surprise.
  if (statements.size < 1000) statements.set(sql, described);
  return described;
}

/**
 * Runs one SQLite statement as a span inside the traced call it serves (`SELECT schools`), with
 * the rows it returned when it returns rows. Outside a traced call, or tracing off, just runs it.
 */
export function tracedStatement<T>(sql: string, run: () => T): T {
  const tracer = activeTracer();
  if (!tracer || !trace.getActiveSpan()) return run();
  const { name, attributes } = describeStatement(sql);
  const span = tracer.startSpan(name, { attributes });
  try {
    const result = run();
    if (Array.isArray(result)) span.setAttribute('db.response.returned_rows', result.length);
    return result;
  } catch (error) {
    span.setAttribute(ATTR_ERROR_TYPE, (error as { code?: string }).code ?? (error as Error).name ?? 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}
