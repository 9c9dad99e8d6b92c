import { context, trace } from '@opentelemetry/api';
import type { LoggerOptions } from 'pino';
import { activeTracer } from './tracingRuntime';

/**
 * Pino options that put the active span's `trace_id` and `span_id` on every line written inside a
 * traced request, so a line leads to its trace and a trace to its lines. Empty when tracing is off.
 */
export function traceIdsInLogs(): Pick<LoggerOptions, 'mixin'> {
  if (!activeTracer()) return {};
  return {
    mixin: () => {
      const span = trace.getSpan(context.active());
      // A fresh object every time: pino merges the line's own fields into what the mixin returns.
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
}
