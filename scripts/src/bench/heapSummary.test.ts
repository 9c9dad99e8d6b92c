import { summariseHeap } from './heapSummary';

it('totals the live heap and ranks kinds of objects by their bytes', () => {
  // Three nodes of the snapshot format: [type, name, self_size] each.
  const snapshot = {
    snapshot: { meta: { node_fields: ['type', 'name', 'self_size'], node_types: [['object', 'string', 'code']] } },
    nodes: [0, 0, 3 * 2 ** 20, 1, 1, 2 ** 20, 1, 1, 2 ** 20, 2, 2, 2 ** 19],
    strings: ['PolicyView', 'a string', 'compiled'] as string[],
  } as Parameters<typeof summariseHeap>[0];
  const lines = summariseHeap(snapshot, 5);
  expect(lines[0]).toBe('live heap 5.5 MB');
  expect(lines[1]).toMatch(/^\s+3\.0 MB\s+1\s+object PolicyView$/);
  expect(lines[2]).toMatch(/^\s+2\.0 MB\s+2\s+\(strings\)$/);
  expect(lines[3]).toMatch(/^\s+0\.5 MB\s+1\s+\(compiled code\)$/);
});
