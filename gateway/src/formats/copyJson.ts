/** A value as `JSON.parse` makes it: null, a boolean, a number, a string, an array or a plain object of these. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A deep copy of a value parsed from JSON, for a request that may write into it while another
 * request reads the original (the answer of a subgraph call shared by requests in flight).
 * Walks plain objects and arrays only, which is all `JSON.parse` makes: about eight times faster
 * than `structuredClone` on an agency's answer of twenty records (4 µs against 30), which every
 * request that joins a shared call pays. A `__proto__` key stays an own property, as JSON.parse
 * leaves it, never the copy's prototype.
 */
export function copyJson<T>(value: T): T {
  return copyValue(value as JsonValue) as T;
}

function copyValue(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) items[i] = copyValue(value[i]!);
    return items;
  }
  const copy: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: copyValue(value[key]!),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = copyValue(value[key]!);
  }
  return copy;
}
