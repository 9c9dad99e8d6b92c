import type { DocumentNode, GraphQLSchema } from 'graphql';
import { walkResponse } from '../enforcement';
import type { OperationRef } from '../policy';
import type { Dispute } from './model';

/**
 * What an answer says of an open dispute over a value it carries (`extensions.disputes`): which
 * dispute, over which field of which record, since when and until when. Never the claim, the
 * evidence or who filed it: those are between the consumer and the owning agency.
 */
export interface DisputeNotice {
  id: string;
  coordinate: string;
  key: string;
  filedAt: string;
  dueDate: string;
}

/** The open disputes by entity: type → key → notices. Built once per store change. */
export interface OpenDisputeIndex {
  readonly size: number;
  readonly byEntity: ReadonlyMap<string, ReadonlyMap<string, readonly DisputeNotice[]>>;
}

export const NO_OPEN_DISPUTES: OpenDisputeIndex = { size: 0, byEntity: new Map() };

/** The index of the open disputes among `disputes`. Pure. */
export function openDisputeIndex(disputes: readonly Dispute[]): OpenDisputeIndex {
  const byEntity = new Map<string, Map<string, DisputeNotice[]>>();
  let size = 0;
  for (const d of disputes) {
    if (d.status !== 'open') continue;
    const type = d.coordinate.split('.')[0]!;
    const keys = byEntity.get(type) ?? new Map<string, DisputeNotice[]>();
    byEntity.set(type, keys);
    keys.set(d.key, [
      ...(keys.get(d.key) ?? []),
      { id: d.id, coordinate: d.coordinate, key: d.key, filedAt: d.filedAt, dueDate: d.dueDate },
    ]);
    size += 1;
  }
  return size ? { size, byEntity } : NO_OPEN_DISPUTES;
}

export interface AnswerToNotice {
  schema: GraphQLSchema;
  /** Entity type → its key fields (the supergraph's `@key`s). */
  keys: ReadonlyMap<string, ReadonlySet<string>>;
  document: DocumentNode;
  operation: OperationRef;
  variables: Record<string, unknown> | undefined;
  /** The answer as it goes out: masked, withheld fields null. */
  data: Record<string, unknown> | null | undefined;
  /** Whether the asker may read a field (released or masked) in this answer's view. */
  mayRead(coordinate: string): boolean;
}

/**
 * The open disputes an answer touches: for every record of an entity type in the answer whose key
 * fields it carries (as they go out — a masked key names nothing), each open dispute over that
 * record whose field the answer also carries for it, not null, and the asker may read. In the
 * order found, each once. Pure.
 */
export function disputeNotices(index: OpenDisputeIndex, answer: AnswerToNotice): DisputeNotice[] {
  if (!index.size || !answer.data) return [];
  const found = new Map<string, DisputeNotice>();
  walkResponse(
    answer.schema,
    answer.document,
    answer.operation,
    answer.variables,
    answer.data,
    (type, fields, object) => {
      const disputed = index.byEntity.get(type.name);
      if (!disputed) return;
      const keyFields = answer.keys.get(type.name);
      if (!keyFields?.size) return;
      // Response keys of the fields carried, by field name (arguments make another value: not the key, not the field).
      const carried = new Map<string, string>();
      for (const [responseKey, nodes] of fields)
        if (!nodes[0]!.arguments?.length && !carried.has(nodes[0]!.name.value))
          carried.set(nodes[0]!.name.value, responseKey);
      const values: string[] = [];
      for (const keyField of keyFields) {
        const responseKey = carried.get(keyField);
        const value = responseKey === undefined ? undefined : object[responseKey];
        if (value === null || value === undefined || typeof value === 'object') return;
        values.push(String(value));
      }
      for (const notice of disputed.get(values.join(',')) ?? []) {
        const field = carried.get(notice.coordinate.slice(type.name.length + 1));
        // A null carries no value to dispute: withheld, outside the asker's row scope, or absent.
        if (field !== undefined && object[field] != null && answer.mayRead(notice.coordinate))
          found.set(notice.id, notice);
      }
    },
  );
  return [...found.values()];
}

/**
 * The notices of a CSV answer, which has no place for extensions, as the value of its
 * `x-hub-disputes` header (or trailer, for a paged export): `id coordinate key due=YYYY-MM-DD`
 * per notice, comma-separated, the key percent-encoded so a separator in it cannot split a notice.
 * Undefined when there are none. Pure.
 */
export function disputeNoticesHeader(notices: readonly DisputeNotice[]): string | undefined {
  if (!notices.length) return undefined;
  return notices.map((n) => `${n.id} ${n.coordinate} ${encodeURIComponent(n.key)} due=${n.dueDate}`).join(', ');
}

/** The dispute notices of an answer's `extensions`, as the gateway's own stage wrote them (anything else: none). */
export function noticesOfExtensions(extensions: unknown): DisputeNotice[] {
  const disputes = (extensions as { disputes?: unknown } | undefined)?.disputes;
  if (!Array.isArray(disputes)) return [];
  return disputes.filter(
    (d): d is DisputeNotice =>
      typeof d === 'object' &&
      d !== null &&
      ['id', 'coordinate', 'key', 'filedAt', 'dueDate'].every(
        (k) => typeof (d as Record<string, unknown>)[k] === 'string',
      ),
  );
}
