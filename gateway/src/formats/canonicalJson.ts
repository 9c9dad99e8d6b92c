/** Deeper than this, a value is written by the walk with a stack of its own. */
const RECURSION_DEPTH = 48;

/**
 * JSON with object keys sorted, so the hash does not depend on key order. It also keys cached
 * responses by a request's variables, which a client may nest as deep as its body allows: values
 * nested deeper than a few dozen levels are walked with a stack of its own, not the call stack
 * (20 000 nested `[` would otherwise overflow it). Shallow values — every audit record, almost all
 * variables — take the plain recursive walk, several times faster. Either way the text is the
 * same as the recursive definition's, byte for byte (audit hashes depend on it).
 */
export function canonicalJson(value: unknown): string {
  return written(value, 0, false);
}

/** Characters JSON.stringify escapes in a string (lone surrogates included, so any surrogate). */
// eslint-disable-next-line no-control-regex -- the control characters are exactly what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON.stringify writes it, without calling it for the common plain string. */
function quoted(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** One value's text; `undefined` and functions as the recursive definition writes them (see below). */
function written(value: unknown, depth: number, inObject: boolean): string {
  if (typeof value === 'string') return quoted(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || typeof value !== 'object') {
    // Top level: whatever JSON.stringify says (`undefined` included); inside, what a template
    // literal (object member) or Array#join (array item) makes of `undefined`.
    const text = JSON.stringify(value);
    return depth === 0 ? text : (text ?? (inObject ? 'undefined' : ''));
  }
  if (depth > RECURSION_DEPTH) return walked(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i > 0 ? ',' : '') + written(value[i], depth + 1, false);
    return text + ']';
  }
  const object = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` on strings does.
  const keys = Object.keys(object).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue;
    text += (first ? '' : ',') + quoted(key) + ':' + written(member, depth + 1, true);
    first = false;
  }
  return text + '}';
}

/** The same text for a value of any depth, walked with an explicit stack. */
function walked(value: object): string {
  const out: string[] = [];
  // Pending work, last first: text to write as is, or a value (inside an array or an object).
  const pending: ({ text: string } | { value: unknown; inObject: boolean })[] = [{ value, inObject: false }];
  while (pending.length) {
    const next = pending.pop()!;
    if ('text' in next) {
      out.push(next.text);
      continue;
    }
    const item = next.value;
    if (item === null || typeof item !== 'object') {
      // What a template literal (object member) or Array#join (array item) makes of `undefined`.
      out.push(JSON.stringify(item) ?? (next.inObject ? 'undefined' : ''));
    } else if (Array.isArray(item)) {
      out.push('[');
      pending.push({ text: ']' });
      for (let i = item.length - 1; i >= 0; i--) {
        pending.push({ value: item[i], inObject: false });
        if (i > 0) pending.push({ text: ',' });
      }
    } else {
      const entries = Object.entries(item as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out.push('{');
      pending.push({ text: '}' });
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i]!;
        pending.push({ value: member, inObject: true }, { text: `${JSON.stringify(key)}:` });
        if (i > 0) pending.push({ text: ',' });
      }
    }
  }
  return out.join('');
}
