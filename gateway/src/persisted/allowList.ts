import type { ErrorCode } from '../errors';
import type { OperationManifest } from './manifest';

export type AllowListVerdict =
  | { ok: true; query: string }
  | {
      ok: false;
      code: Extract<ErrorCode, 'PERSISTED_OPERATION_REQUIRED' | 'PERSISTED_OPERATION_NOT_FOUND'>;
      message: string;
    };

/** The registered operations by id, for one lookup per request. */
export class AllowList {
  private readonly byId: ReadonlyMap<string, string>;
  /** The registered texts themselves: a text sent in full is looked up, not hashed per request. */
  private readonly bodies: ReadonlySet<string>;

  constructor(manifest: OperationManifest) {
    this.byId = new Map(manifest.operations.map((operation) => [operation.id, operation.body]));
    this.bodies = new Set(this.byId.values());
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * Pure decision for one operation of a request: a known hash gives its registered text; a text
   * is accepted only if it is itself registered (byte for byte); anything else is refused.
   */
  resolve(query: unknown, extensions: unknown): AllowListVerdict {
    const hash = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash;
    if (typeof hash === 'string') {
      const body = this.byId.get(hash.toLowerCase());
      if (body === undefined)
        return {
          ok: false,
          code: 'PERSISTED_OPERATION_NOT_FOUND',
          message: `No registered operation has the hash ${hash.slice(0, 64)}; this hub serves only the operations on its allow-list.`,
        };
      if (typeof query === 'string' && query !== body)
        return {
          ok: false,
          code: 'PERSISTED_OPERATION_NOT_FOUND',
          message: 'The text sent does not match the registered operation of that hash.',
        };
      return { ok: true, query: body };
    }
    if (typeof query === 'string' && this.bodies.has(query)) return { ok: true, query };
    return {
      ok: false,
      code: 'PERSISTED_OPERATION_REQUIRED',
      message:
        'This hub serves only registered operations: send extensions.persistedQuery.sha256Hash of one on its allow-list.',
    };
  }
}
