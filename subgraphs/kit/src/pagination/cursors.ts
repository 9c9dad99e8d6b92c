import { hubError } from '@cdo-hub/contracts';
import type { GraphQLError } from 'graphql';
import { cursorKeyring, openCursor, sealCursor, type CursorKeyring, type CursorRefusal } from './cursorSealing';
import { decodePlainCursor, encodePlainCursor } from './plainCursors';

/**
 * The cursors of one subgraph call: issued and read for the agency answering it and the row scope
 * the gateway sent with it. Resolvers never see a cursor's inside; `toPage` and `toConnection`
 * go through this.
 */
export interface CursorCodec {
  /** The cursor after the row whose sort key is `sortKey`, in list `listId`. */
  issue(listId: string, sortKey: string): string;
  /** The sort key in `cursor` if list `listId` issued it under this call's row scope; throws INVALID_CURSOR otherwise. */
  read(cursor: string, listId: string): string;
}

/** How cursors are issued (`HUB_CURSOR_SEALING`, `CURSOR_TTL`; see `cursorSettingsFromEnv`). */
export interface CursorSettings {
  /** `false` only in tests (`HUB_CURSOR_SEALING=off`): plain, readable cursors that never expire. */
  sealing: boolean;
  /** How long a sealed cursor opens after it was issued. */
  ttlMs: number;
}

/** What an agency seals its cursors with: the hub's subgraph signing key, and the previous one while a rotation lasts. */
export interface CursorSecrets {
  signingKey: string;
  previousSigningKeys?: readonly string[];
}

function invalidCursor(reason: CursorRefusal | 'plain'): GraphQLError {
  if (reason === 'expired')
    return hubError('INVALID_CURSOR', 'This cursor has expired; page again from the start (without `after`).', {
      reason: 'expired',
    });
  // One message for every other reason: telling a forgery from a foreign cursor would help nobody but a forger.
  return hubError(
    'INVALID_CURSOR',
    'This is not a cursor this list issued for this row scope; page again from the start (without `after`).',
    { reason: 'not-issued-here' },
  );
}

/**
 * An agency's cursor issuer, built once at start (the keys are derived then); `forCall` binds it
 * to one call's row scope. The clock is injectable so expiry is tested without waiting.
 */
export class SubgraphCursors {
  private readonly keyring: CursorKeyring;

  constructor(
    readonly agency: string,
    secrets: CursorSecrets,
    readonly settings: CursorSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.keyring = cursorKeyring(agency, secrets.signingKey, secrets.previousSigningKeys ?? []);
  }

  /** The codec of one call, bound to the row scope of its signed consumer header (none for calls without one). */
  forCall(rowScope?: Readonly<Record<string, string>>): CursorCodec {
    if (!this.settings.sealing) return PLAIN_CURSORS;
    const { keyring, now } = this;
    const ttlMs = this.settings.ttlMs;
    return {
      issue: (listId, sortKey) => sealCursor(keyring, { listId, rowScope }, sortKey, now() + ttlMs),
      read: (cursor, listId) => {
        const opened = openCursor(keyring, { listId, rowScope }, cursor, now());
        if (!opened.ok) throw invalidCursor(opened.reason);
        return opened.sortKey;
      },
    };
  }
}

/** The unsealed cursors of `HUB_CURSOR_SEALING=off` (tests only): bound to the list, readable by all. */
export const PLAIN_CURSORS: CursorCodec = {
  issue: encodePlainCursor,
  read: (cursor, listId) => {
    const sortKey = decodePlainCursor(cursor, listId);
    if (sortKey === undefined) throw invalidCursor('plain');
    return sortKey;
  },
};
