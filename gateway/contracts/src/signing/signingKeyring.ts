/**
 * The keys of one secret as its holder sees them across a rotation: the current key, which signs
 * everything new, and the keys the hub used before, which only verify — until whatever was signed
 * under them has expired (docs/operations/key-rotation.md). Outside a rotation `previous` is
 * empty, and verifying costs what it cost before there were keyrings: one HMAC.
 */
export interface SigningKeyring {
  readonly current: string;
  readonly previous: readonly string[];
}

/** A bare key, or a keyring: what every signature check takes. A bare key has no previous keys. */
export type SigningKeys = string | SigningKeyring;

/**
 * A keyring from the current key and the keys used before it, oldest last or in any order: empty
 * entries and repeats of the current key are dropped (a key listed twice would only cost a MAC).
 */
export function signingKeyring(current: string, previous: readonly string[] = []): SigningKeyring {
  if (!current) throw new Error('a keyring needs its current key');
  return { current, previous: [...new Set(previous.filter((key) => key && key !== current))] };
}

export function keyringOf(keys: SigningKeys): SigningKeyring {
  return typeof keys === 'string' ? signingKeyring(keys) : keys;
}

/**
 * The keys a `…_PREVIOUS` variable holds: one per line, so the `_FILE` form can list several
 * (blank lines and surrounding spaces ignored). Unset or empty: none.
 */
export function parsePreviousKeys(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}
