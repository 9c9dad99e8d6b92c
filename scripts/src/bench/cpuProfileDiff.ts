import { readFileSync } from 'node:fs';
import type { CpuProfile } from './cpuProfileTop';

/**
 * Two `.cpuprofile` files side by side, per request: where row (d) spends more than row (c), or a
 * change's after against its before. Each profile's time is divided by the requests its run
 * served (profileRows.js prints them), so runs at different rates compare.
 *
 *   node scripts/dist/bench/cpuProfileDiff.js <a.cpuprofile> <requests a> <b.cpuprofile> <requests b> [topN] [lastSeconds] [self|total] [filter]
 *
 * `self` (default): functions by the change in their self time, largest first. `total`: the time
 * inside each function, its callees included (a stage's whole cost), largest in b first; a
 * function counts once per sample however deep it recurses. `filter` keeps the functions whose
 * name or file contains it (`gateway/dist` for our own code). Line numbers are left out of the
 * names, so a function edited between the two runs still lines up with itself.
 */

export interface PerRequest {
  /** Microseconds per request by `function  file`; `(idle)` included. */
  micros: Map<string, number>;
  /** Busy microseconds per request (everything but idle). */
  busy: number;
}

export function perRequest(
  profile: CpuProfile,
  requests: number,
  lastSeconds: number,
  mode: 'self' | 'total',
): PerRequest {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const from = profile.endTime - lastSeconds * 1e6;
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const nameOf = (id: number) => {
    const { functionName, url } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(gateway|subgraphs|scripts)\//, '$1/');
    return `${functionName || '(anonymous)'}  ${file}`.trimEnd();
  };
  const micros = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName !== '(idle)') busy += us;
    if (mode === 'self') {
      const name = nameOf(id);
      micros.set(name, (micros.get(name) ?? 0) + us);
      continue;
    }
    const counted = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const name = nameOf(node);
      if (counted.has(name)) continue;
      counted.add(name);
      micros.set(name, (micros.get(name) ?? 0) + us);
    }
  }
  for (const [name, us] of micros) micros.set(name, us / requests);
  return { micros, busy: busy / requests };
}

export function compareProfiles(
  a: PerRequest,
  b: PerRequest,
  options: { top: number; mode: 'self' | 'total'; filter?: string },
): string[] {
  const names = new Set([...a.micros.keys(), ...b.micros.keys()]);
  const rows = [...names]
    .filter((name) => !options.filter || name.includes(options.filter))
    .map((name) => ({ name, a: a.micros.get(name) ?? 0, b: b.micros.get(name) ?? 0 }));
  if (options.mode === 'self') rows.sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a));
  else rows.sort((x, y) => y.b - x.b);
  const figure = (us: number) => us.toFixed(1).padStart(8);
  return [
    `busy µs per request: a ${a.busy.toFixed(0)}, b ${b.busy.toFixed(0)} (${(b.busy - a.busy).toFixed(0)})`,
    '',
    `       a        b      b-a  µs per request, ${options.mode === 'self' ? 'self time' : 'callees included'}`,
    ...rows
      .slice(0, options.top)
      .map((row) => `${figure(row.a)} ${figure(row.b)} ${figure(row.b - row.a)}  ${row.name}`),
  ];
}

if (require.main === module) {
  const [fileA, requestsA, fileB, requestsB, top, last, mode, filter] = process.argv.slice(2);
  if (!fileA || !requestsA || !fileB || !requestsB) {
    console.error(
      'usage: node scripts/dist/bench/cpuProfileDiff.js <a.cpuprofile> <requests a> <b.cpuprofile> <requests b> [topN] [lastSeconds] [self|total] [filter]',
    );
    process.exit(2);
  }
  const chosen = mode === 'total' ? 'total' : 'self';
  const read = (file: string, requests: string) =>
    perRequest(
      JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
      Number(requests),
      last ? Number(last) : Infinity,
      chosen,
    );
  console.log(
    compareProfiles(read(fileA, requestsA), read(fileB, requestsB), {
      top: Number(top ?? 30),
      mode: chosen,
      ...(filter ? { filter } : {}),
    }).join('\n'),
  );
}
