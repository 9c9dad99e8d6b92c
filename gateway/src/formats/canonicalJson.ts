/**
 * JSON with object keys sorted, so the hash does not depend on key order. It also keys cached
 * responses by a request's variables, which a client may nest as deep as its body allows: so it
 * walks with a stack of its own, not the call stack (20 000 nested `[` would otherwise overflow it).
 * The text is the same as a recursive walk's, byte for byte (audit hashes depend on it).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
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
