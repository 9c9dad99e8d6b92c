import { readFileSync } from 'node:fs';

/**
 * A `.heapsnapshot` (from `profileRows.js --heap-snapshot`) in a few lines: the live heap's total
 * and its largest kinds of objects by self size. A snapshot is taken after a full collection, so
 * this is what the process keeps — compare it with the peak RSS to see how much of the RSS is
 * garbage V8 had not yet collected.
 *
 *   node scripts/dist/bench/heapSummary.js <file.heapsnapshot> [topN]
 */

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** What an object counts as: strings and compiled code together, other objects by constructor. */
function kindOf(type: string, name: string): string {
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(strings)';
  if (type === 'code') return '(compiled code)';
  if (type === 'array' || type === 'hidden') return `(${type}) ${name.slice(0, 40)}`;
  return `${type} ${name.slice(0, 40)}`;
}

export function summariseHeap(snapshot: HeapSnapshot, top: number): string[] {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field)) as [
    number,
    number,
    number,
  ];
  const kinds = new Map<string, { bytes: number; count: number }>();
  let total = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const bytes = snapshot.nodes[i + sizeAt]!;
    const kind = kindOf(types[snapshot.nodes[i + typeAt]!]!, snapshot.strings[snapshot.nodes[i + nameAt]!]!);
    const entry = kinds.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += bytes;
    entry.count++;
    kinds.set(kind, entry);
    total += bytes;
  }
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1).padStart(7);
  return [
    `live heap ${mb(total).trim()} MB`,
    ...[...kinds]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, top)
      .map(([kind, { bytes, count }]) => `${mb(bytes)} MB ${String(count).padStart(8)}  ${kind}`),
  ];
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/dist/bench/heapSummary.js <file.heapsnapshot> [topN]');
    process.exit(2);
  }
  for (const line of summariseHeap(JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot, Number(top ?? 20)))
    console.log(line);
}
