/**
 * The W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/#traceparent-header):
 * `00-<trace id, 32 hex>-<parent span id, 16 hex>-<flags, 2 hex>`. The gateway writes it on every
 * subgraph call it makes while tracing, the call signature covers it, and the agency continues the
 * trace from it only once the signature holds. Only version 00 is written or read: a call carries
 * what this gateway wrote, never a header passed along from elsewhere.
 */
export const TRACEPARENT_HEADER = 'traceparent';

export interface TraceParent {
  traceId: string;
  /** The caller's span: the parent of the span the callee starts. */
  spanId: string;
  /** Trace flags; bit 0 is `sampled`. */
  flags: number;
}

const TRACEPARENT_FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZEROS = /^0+$/;

/** A `traceparent` value, or undefined for anything else (an all-zero id is invalid, says the spec). */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (!value) return undefined;
  const match = TRACEPARENT_FORMAT.exec(value);
  if (!match || ALL_ZEROS.test(match[1]!) || ALL_ZEROS.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, flags: parseInt(match[3]!, 16) };
}

/** The header value for a span; throws on ids the spec does not allow, so a bad one is never signed. */
export function formatTraceparent(parent: TraceParent): string {
  const value = `00-${parent.traceId}-${parent.spanId}-${(parent.flags & 0xff).toString(16).padStart(2, '0')}`;
  if (!parseTraceparent(value)) throw new Error(`not a valid trace context: ${value}`);
  return value;
}
