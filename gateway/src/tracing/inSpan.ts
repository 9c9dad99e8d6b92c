import { SpanStatusCode, type Attributes, type Span, type SpanKind } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { HUB_ATTRIBUTES } from './spanAttributes';
import { activeTracer } from './tracingRuntime';

/**
 * Runs `work` as the active span `name` (its children and log lines find it), ending the span when
 * the work settles — at once for a value, when it resolves for a promise. `describe` adds what the
 * result says (counts, outcomes). Tracing off, it is `work()`.
 */
export function inSpan<T>(
  name: string,
  work: () => T,
  options: { attributes?: Attributes; kind?: SpanKind; describe?: (result: Awaited<T>, span: Span) => Attributes } = {},
): T {
  const tracer = activeTracer();
  if (!tracer) return work();
  return tracer.startActiveSpan(name, { attributes: options.attributes ?? {}, kind: options.kind }, (span) => {
    let result: T;
    try {
      result = work();
    } catch (error) {
      endFailed(span, error);
      throw error;
    }
    if (result instanceof Promise)
      return result.then(
        (value: Awaited<T>) => {
          endWith(span, value, options.describe);
          return value;
        },
        (error: unknown) => {
          endFailed(span, error);
          throw error;
        },
      ) as T;
    endWith(span, result as Awaited<T>, options.describe);
    return result;
  });
}

function endWith<T>(span: Span, value: T, describe: ((result: T, span: Span) => Attributes) | undefined): void {
  if (describe) span.setAttributes(describe(value, span));
  span.end();
}

/**
 * A failed span says what kind of failure it was — the catalogued code, and its reason when it
 * has one (`timeout`, `circuit-open`) — never the message, which may quote what was asked.
 */
export function endFailed(span: Span, error: unknown): void {
  const extensions = (error as { extensions?: { code?: unknown; reason?: unknown } } | null)?.extensions;
  const code = typeof extensions?.code === 'string' ? extensions.code : (error as Error | null)?.name || 'Error';
  span.setAttribute(ATTR_ERROR_TYPE, code);
  if (typeof extensions?.reason === 'string') span.setAttribute(HUB_ATTRIBUTES.errorReason, extensions.reason);
  span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
