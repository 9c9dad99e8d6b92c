import {
  INVALID_SPAN_CONTEXT,
  trace,
  type Span,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';

/** The instrumentation scope Apollo Gateway's spans carry (`@apollo/gateway`, utilities/opentelemetry.js). */
const APOLLO_GATEWAY_SCOPE = 'apollo/gateway-js';
/** Apollo's spans the hub keeps: building a query plan has no span of ours. */
const KEPT_APOLLO_SPANS: ReadonlySet<string> = new Set(['gateway.plan']);

/** Stands in for a dropped span: records nothing, and leaves the active span the parent of what follows. */
const DROPPED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Apollo Gateway's tracer, keeping only `gateway.plan`. Its other spans — request, validate,
 * execute, fetch, postprocessing — repeat the hub's own (the server span, `hub.subgraph_fetch`)
 * and would double the spans of every request, each made, kept and serialized: the span a
 * dropped one would have been is handed a stand-in that records nothing, without becoming the
 * active span, so the spans below it hang from the hub's span above it.
 */
class PlanOnlyTracer implements Tracer {
  constructor(private readonly inner: Tracer) {}

  startSpan(...args: Parameters<Tracer['startSpan']>): Span {
    return KEPT_APOLLO_SPANS.has(args[0]) ? this.inner.startSpan(...args) : DROPPED;
  }

  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    if (KEPT_APOLLO_SPANS.has(name))
      return (this.inner.startActiveSpan as (...args: unknown[]) => ReturnType<F>)(name, ...rest);
    const work = rest[rest.length - 1] as F;
    return work(DROPPED) as ReturnType<F>;
  }
}

/** The process's tracer provider as libraries see it: the SDK's, with Apollo Gateway's spans thinned. */
export class HubTracerProvider implements TracerProvider {
  constructor(private readonly inner: TracerProvider) {}

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const tracer = this.inner.getTracer(name, version, options);
    return name === APOLLO_GATEWAY_SCOPE ? new PlanOnlyTracer(tracer) : tracer;
  }
}
