import { isNonNullType, isObjectType, parse, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import { formatMask } from '../masking';
import { analyseOperation } from './analyseOperation';
import { explainOperation, type ExplainedField } from './explain';
import { nullableAboveItem } from './blankedObjects';
import { unreachableGrantFields, type UnreachableGrant } from './parentGrants';
import type { FieldDecision } from './decideField';
import type { Grant, PolicySet } from './policySet';

/**
 * What a policy change (a changed policy file, or a grant decision) would do to what consumers
 * recently asked for, before it is applied — the preview a CDO reads on `hub policy impact`, on
 * `hub grant approve` and, later, in the console. Pure: two compiled policy sets (in force,
 * proposed) and the operations consumers sent (from the audit trail and its operation store).
 */
export interface RecentOperation {
  hash: string;
  name: string | null;
  text: string;
  /** Who sent it and under which purpose, how many times. */
  senders: readonly { consumer: string; purpose: string | null; count: number }[];
}

/** How one field of one operation is decided: `allow`, `mask <mask>` or `deny <code>`. */
export type Outcome = string;

export interface OutcomeChange {
  consumer: string;
  purpose: string | null;
  operation: { hash: string; name: string | null };
  count: number;
  coordinate: string;
  before: Outcome;
  after: Outcome;
  /** `withheld`: released before, denied now; `masked`: in clear before, masked now; `released`: denied before; `unmasked`. */
  change: 'withheld' | 'masked' | 'released' | 'unmasked' | 'mask changed' | 'reason changed';
  paths: readonly string[];
}

/** A field newly withheld that is non-null: the nearest nullable position above it becomes null. */
export interface BlankedObject {
  consumer: string;
  purpose: string | null;
  operation: { hash: string; name: string | null };
  coordinate: string;
  /** Response paths that would become null (`school`, or `data` when nothing above is nullable). */
  nulled: readonly string[];
}

/** A field an operation asks for and would be released, under a parent the consumer is denied. */
export interface UnreachableRequest {
  consumer: string;
  purpose: string | null;
  operation: { hash: string; name: string | null };
  coordinate: string;
  /** The denied fields above it in the operation. */
  missing: readonly string[];
}

export interface PolicyImpact {
  changes: OutcomeChange[];
  blanked: BlankedObject[];
  /** Requested in recent operations, released, yet under a withheld parent. */
  unreachable: UnreachableRequest[];
  /** Grants the change adds (or alters) that their consumer could not use: no path to the type. */
  unusableGrants: UnreachableGrant[];
  /** Operations read, and those that no longer parse or validate (not judged). */
  operations: number;
  skipped: { hash: string; name: string | null; reason: string }[];
}

export function policyImpact(
  before: PolicySet,
  after: PolicySet,
  operations: readonly RecentOperation[],
  now: number,
): PolicyImpact {
  const impact: PolicyImpact = {
    changes: [],
    blanked: [],
    unreachable: [],
    unusableGrants: unreachableGrantFields(after, changedGrants(before, after), now),
    operations: operations.length,
    skipped: [],
  };
  for (const operation of operations) {
    const ref = { hash: operation.hash, name: operation.name };
    for (const sender of operation.senders) {
      const consumer = after.consumers.consumers.get(sender.consumer);
      if (!consumer) {
        impact.skipped.push({ ...ref, reason: `consumer ${sender.consumer} is no longer registered` });
        continue;
      }
      const purpose = sender.purpose ?? undefined;
      const was = explainOperation(before, consumer, purpose, operation.text, now);
      const will = explainOperation(after, consumer, purpose, operation.text, now);
      if ('errors' in was || 'errors' in will) {
        const errors = 'errors' in was ? was.errors : (will as { errors: readonly Error[] }).errors;
        impact.skipped.push({ ...ref, reason: errors.map((e) => e.message).join(' ') });
        continue;
      }
      const who = { consumer: sender.consumer, purpose: sender.purpose, operation: ref };
      const previous = new Map(was.map((field) => [field.coordinate, field]));
      for (const field of will) {
        const old = previous.get(field.coordinate);
        if (!old) continue;
        const change = classify(old.decision, field.decision);
        if (!change) continue;
        impact.changes.push({
          ...who,
          count: sender.count,
          coordinate: field.coordinate,
          before: outcome(old.decision),
          after: outcome(field.decision),
          change,
          paths: field.paths,
        });
      }
      impact.blanked.push(...blankedIn(after.schema, operation.text, was, will).map((b) => ({ ...who, ...b })));
      impact.unreachable.push(...unreachableIn(will).map((u) => ({ ...who, ...u })));
    }
  }
  return impact;
}

export function outcome(decision: FieldDecision): Outcome {
  return decision.effect === 'deny'
    ? `deny ${decision.code}`
    : decision.effect === 'mask'
      ? `mask ${formatMask(decision.mask)}`
      : 'allow';
}

function classify(before: FieldDecision, after: FieldDecision): OutcomeChange['change'] | undefined {
  if (outcome(before) === outcome(after)) return undefined;
  if (after.effect === 'deny') return before.effect === 'deny' ? 'reason changed' : 'withheld';
  if (before.effect === 'deny') return 'released';
  if (after.effect === 'mask') return before.effect === 'mask' ? 'mask changed' : 'masked';
  return 'unmasked';
}

/** Grants of `after` that `before` does not hold as they are (new, or with other fields or purposes). */
function changedGrants(before: PolicySet, after: PolicySet): Grant[] {
  const key = (g: Grant) =>
    JSON.stringify([g.consumer, g.purposes, g.fields.map((f) => [f.coordinate, f.mask]), g.expires]);
  const known = new Map(before.grants.map((g) => [g.id, key(g)]));
  return after.grants.filter((g) => known.get(g.id) !== key(g));
}

/**
 * Non-null fields the change newly withholds in this operation, and the response paths that
 * become null for it: walking up the field's path to the nearest position that may be null.
 */
function blankedIn(
  schema: GraphQLSchema,
  text: string,
  was: readonly ExplainedField[],
  will: readonly ExplainedField[],
): Omit<BlankedObject, 'consumer' | 'purpose' | 'operation'>[] {
  const released = new Set(was.filter((f) => f.decision.effect !== 'deny').map((f) => f.coordinate));
  const newlyDenied = will.filter(
    (f) => f.decision.effect === 'deny' && released.has(f.coordinate) && !f.coordinate.includes('('),
  );
  if (!newlyDenied.length) return [];
  const typeAt = new Map<string, GraphQLOutputType>();
  for (const selection of analyseOperation(schema, parse(text))) {
    const [typeName, fieldName] = selection.coordinate.split('.') as [string, string];
    const type = schema.getType(typeName);
    if (type && isObjectType(type)) typeAt.set(selection.path.join('.'), type.getFields()[fieldName]!.type);
  }
  const blanked: Omit<BlankedObject, 'consumer' | 'purpose' | 'operation'>[] = [];
  for (const field of newlyDenied) {
    const nulled = new Set<string>();
    for (const path of field.paths) {
      const type = typeAt.get(path);
      if (!type || !isNonNullType(type)) continue;
      const keys = path.split('.');
      let landed = 'data';
      for (let depth = keys.length - 1; depth > 0; depth--) {
        const parent = typeAt.get(keys.slice(0, depth).join('.'));
        if (parent && nullableAboveItem(parent)) {
          landed = keys.slice(0, depth).join('.');
          break;
        }
      }
      nulled.add(landed);
    }
    if (nulled.size) blanked.push({ coordinate: field.coordinate, nulled: [...nulled].sort() });
  }
  return blanked;
}

/** Fields released to the consumer in this operation that sit under a field it is denied. */
function unreachableIn(
  will: readonly ExplainedField[],
): Omit<UnreachableRequest, 'consumer' | 'purpose' | 'operation'>[] {
  const deniedPaths = new Map<string, string>();
  for (const field of will)
    if (field.decision.effect === 'deny' && !field.coordinate.includes('('))
      for (const path of field.paths) deniedPaths.set(path, field.coordinate);
  const found: Omit<UnreachableRequest, 'consumer' | 'purpose' | 'operation'>[] = [];
  for (const field of will) {
    // Only what a grant releases: plumbing (a connection's totalCount) under a withheld roster is no request.
    if (field.decision.effect === 'deny' || !field.decision.grants.length) continue;
    const missing = new Set<string>();
    for (const path of field.paths) {
      const keys = path.split('.');
      for (let depth = 1; depth < keys.length; depth++) {
        const denied = deniedPaths.get(keys.slice(0, depth).join('.'));
        if (denied) missing.add(denied);
      }
    }
    if (missing.size) found.push({ coordinate: field.coordinate, missing: [...missing] });
  }
  return found;
}
