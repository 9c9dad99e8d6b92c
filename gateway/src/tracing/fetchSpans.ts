import { SpanKind, trace, type Span } from '@opentelemetry/api';
import { formatTraceparent } from '@cdo-hub/contracts';
import { inSpan } from './inSpan';
import { HUB_ATTRIBUTES, HUB_SPANS } from './spanAttributes';
import { activeTracer } from './tracingRuntime';

/** What the fetch cache answered for one subgraph fetch, summed as it counts. */
interface CacheMarks {
  hit: number;
  miss: number;
  bypass: number;
}

const marks = new WeakMap<Span, CacheMarks>();

/**
 * One subgraph fetch as the gateway's client span: through the fetch cache, the calls in flight
 * and the circuit breaker to the agency (the agency's server span is its child, through the signed
 * `traceparent`). Says the agency, what the fetch cache answered (`hit`, `partial`, `miss`,
 * `bypass`, or nothing when it was not asked), and whether the call was shared with a request in
 * flight.
 */
export function traceSubgraphFetch<T>(agency: string, fetch: () => Promise<T>): Promise<T> {
  if (!activeTracer()) return fetch();
  return inSpan(HUB_SPANS.subgraphFetch, fetch, {
    kind: SpanKind.CLIENT,
    attributes: { [HUB_ATTRIBUTES.agency]: agency },
    describe: (_answer, span) => {
      const cache = marks.get(span);
      return cache ? { [HUB_ATTRIBUTES.fetchCacheResult]: cacheResult(cache) } : {};
    },
  });
}

function cacheResult({ hit, miss, bypass }: CacheMarks): string {
  if (hit > 0) return miss > 0 || bypass > 0 ? 'partial' : 'hit';
  return miss > 0 ? 'miss' : 'bypass';
}

/** The fetch cache counted `count` entries of `layer` as `result`: noted on the fetch's span. */
export function markFetchCache(layer: string, result: 'hit' | 'miss' | 'bypass', count: number): void {
  if (!activeTracer()) return;
  const span = trace.getActiveSpan();
  if (!span) return;
  let cache = marks.get(span);
  if (!cache) marks.set(span, (cache = { hit: 0, miss: 0, bypass: 0 }));
  cache[result] += count;
  span.setAttributes({ [HUB_ATTRIBUTES.fetchCacheLayer]: layer, [`cdo_hub.fetch_cache.${result}`]: cache[result] });
}

/** Whether the fetch waited for an identical call already in flight instead of sending its own. */
export function markSharedCall(shared: boolean): void {
  if (activeTracer()) trace.getActiveSpan()?.setAttribute(HUB_ATTRIBUTES.sharedInFlight, shared);
}

const UNTRACED: { traceparent?: string } = Object.freeze({});

/**
 * The trace context a subgraph call carries, for the call's signature to cover: the `traceparent`
 * of the active span (the fetch's), or nothing when tracing is off.
 */
export function outgoingTraceContext(): { traceparent?: string } {
  if (!activeTracer()) return UNTRACED;
  const span = trace.getActiveSpan();
  if (!span) return UNTRACED;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { traceparent: formatTraceparent({ traceId, spanId, flags: traceFlags }) };
}
