import fc from 'fast-check';
import { canonicalJson } from '../formats';
import type { AuditEntry, AuditRecord } from './auditRecord';
import { chainBatch, GENESIS_HASH, recordHash } from './hashChain';

/** The recursive definition the audit trails written so far were hashed with. */
function recursiveCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(recursiveCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${recursiveCanonicalJson(item)}`).join(',')}}`;
}

describe('canonicalJson', () => {
  it('writes the same text as the recursive definition, for any value', () => {
    fc.assert(
      fc.property(
        fc.anything({
          maxDepth: 5,
          withNullPrototype: true,
          withBoxedValues: false,
          withMap: false,
          withSet: false,
          withBigInt: false,
        }),
        (value) => {
          expect(canonicalJson(value)).toBe(recursiveCanonicalJson(value));
        },
      ),
      { numRuns: 2000 },
    );
    expect(canonicalJson([1, undefined, { b: undefined, a: [null, () => 1] }, { f: () => 1 }])).toBe(
      recursiveCanonicalJson([1, undefined, { b: undefined, a: [null, () => 1] }, { f: () => 1 }]),
    );
  });

  it('writes the same text where the walk switches from recursion to its own stack (past 48 levels)', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 4, withBoxedValues: false, withMap: false, withSet: false, withBigInt: false }),
        fc.integer({ min: 40, max: 60 }),
        (value, levels) => {
          let deep: unknown = value;
          for (let i = 0; i < levels; i++) deep = i % 3 ? [deep, i] : { z: deep, a: i, u: undefined };
          expect(canonicalJson(deep)).toBe(recursiveCanonicalJson(deep));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes strings and keys as JSON.stringify does: control characters, quotes, lone surrogates', () => {
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string());
    fc.assert(
      fc.property(fc.dictionary(text, fc.oneof(text, fc.array(text), fc.double(), fc.boolean())), (value) => {
        expect(canonicalJson(value)).toBe(recursiveCanonicalJson(value));
      }),
      { numRuns: 2000 },
    );
    expect(canonicalJson({ '\ud800"': ['\u0000\\', '\udc00x', -0, NaN] })).toBe(
      recursiveCanonicalJson({ '\ud800"': ['\u0000\\', '\udc00x', -0, NaN] }),
    );
  });

  it('sorts object keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it('handles values nested deeper than the call stack allows (client variables)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = i % 2 ? [deep] : { a: deep };
    const text = canonicalJson(deep);
    expect(text.length).toBe(1 + 100_000 * '[]'.length + 100_000 * '{"a":}'.length);
  });
});

describe('chainBatch', () => {
  it('writes each record as one line that parses back to it and verifies under its hash', () => {
    const entry = (i: number) =>
      ({
        kind: 'access',
        time: `2026-12-05T00:00:0${i}.000Z`,
        requestId: `r${i}`,
        consumer: 'district-haidian',
        purpose: 'enrollment "planning"\n',
        entities: { education: i },
        subjects: { education: [{ kind: 'person', type: 'Pupil', released: ['name'], masked: [], digests: ['d'] }] },
      }) as unknown as AuditEntry;
    const { records, lines, seq, hash } = chainBatch([entry(1), entry(2)], 4, GENESIS_HASH);
    expect(seq).toBe(6);
    expect(hash).toBe(records[1]!.hash);
    expect(records[1]!.prevHash).toBe(records[0]!.hash);
    lines.forEach((line, i) => {
      expect(line).not.toContain('\n');
      const parsed = JSON.parse(line) as AuditRecord;
      expect(parsed).toEqual(records[i]);
      const { hash: stated, ...unsigned } = parsed;
      expect(recordHash(unsigned)).toBe(stated);
    });
  });
});
