import type { Attributes } from '@opentelemetry/api';
import type { OperationView, ShapedResponse } from '../enforcement';
import type { IdentityResult } from '../identity';
import type { DecidedView } from '../requestState';
import { inSpan } from './inSpan';
import { HUB_ATTRIBUTES, HUB_SPANS, MAX_LISTED_COORDINATES } from './spanAttributes';
import { activeTracer } from './tracingRuntime';

/** Who asked, decided: `consumer`, `public`, or the refusal's code. Never who (the logs say that). */
export function traceIdentity(identify: () => Promise<IdentityResult>): Promise<IdentityResult> {
  return inSpan(HUB_SPANS.identity, identify, {
    describe: (result) => ({
      [HUB_ATTRIBUTES.identityOutcome]: result.ok ? (result.identity.anonymous ? 'public' : 'consumer') : result.code,
    }),
  });
}

/**
 * The policy decision: the operation's view, from the view cache (`cached`) or compiled now. Its
 * span counts the fields allowed, masked and denied, and names the denied coordinates.
 */
export function traceOperationView(cached: OperationView | undefined, compile: () => OperationView): OperationView {
  if (!activeTracer()) return cached ?? compile();
  return inSpan(HUB_SPANS.operationView, () => cached ?? compile(), {
    describe: (view) => ({ ...viewAttributes(view), [HUB_ATTRIBUTES.viewCached]: cached !== undefined }),
  });
}

/** A view's counts, worked out once per view: a cached view is decided again on every request. */
const described = new WeakMap<OperationView, Attributes>();

function viewAttributes(view: OperationView): Attributes {
  let attributes = described.get(view);
  if (attributes) return attributes;
  const counts = { allow: 0, mask: 0, deny: 0 };
  const denied: string[] = [];
  for (const [coordinate, decision] of view.decisions) {
    counts[decision.effect]++;
    if (decision.effect === 'deny' && denied.length < MAX_LISTED_COORDINATES) denied.push(coordinate);
  }
  attributes = {
    [HUB_ATTRIBUTES.viewUnrestricted]: view.unrestricted,
    [HUB_ATTRIBUTES.fieldsAllowed]: counts.allow,
    [HUB_ATTRIBUTES.fieldsMasked]: counts.mask,
    [HUB_ATTRIBUTES.fieldsDenied]: counts.deny,
    [HUB_ATTRIBUTES.operationHash]: view.queryHash,
    ...(denied.length ? { [HUB_ATTRIBUTES.deniedCoordinates]: denied } : {}),
  };
  described.set(view, attributes);
  return attributes;
}

/** Reshaping the agencies' answer to the view: how many fields were withheld, masked, records carried. */
export function traceShaping(shape: () => ShapedResponse): ShapedResponse {
  return inSpan(HUB_SPANS.responseShaping, shape, {
    describe: (shaped) => ({
      [HUB_ATTRIBUTES.withheld]: shaped.withheld.length,
      [HUB_ATTRIBUTES.masked]: shaped.masked.size,
      [HUB_ATTRIBUTES.records]: Object.values(shaped.entities).reduce((sum, count) => sum + count, 0),
    }),
  });
}

/**
 * The audit record's write, until it is durable (or fails): the response waits on it. Says how
 * many records of agency data the answer carried and what the response cache did.
 */
export function traceAuditWrite<T>(
  write: () => Promise<T>,
  decided: Pick<DecidedView, 'entities' | 'cache'>,
): Promise<T> {
  if (!activeTracer()) return write();
  return inSpan(HUB_SPANS.auditWrite, write, {
    attributes: {
      [HUB_ATTRIBUTES.records]: Object.values(decided.entities ?? {}).reduce((sum, count) => sum + count, 0),
      ...(decided.cache ? { [HUB_ATTRIBUTES.responseCache]: decided.cache.status } : {}),
    },
  });
}
