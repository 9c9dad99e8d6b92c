import { readFileSync } from 'node:fs';

/**
 * A `.cpuprofile` (from `node --cpu-prof`) in a few lines: the functions with the most self time,
 * and self time by package, so a profile can be summarised in text and the large file thrown away.
 *
 *   node scripts/dist/bench/cpuProfileTop.js <file.cpuprofile> [topN] [lastSeconds]
 *
 * With `lastSeconds`, only the samples of the profile's last seconds count: the load window of a
 * `profileRows.js` run, without the process's start-up (module loading) before it.
 */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to (`graphql`, `@apollo/gateway`, `node:internal`, or our own folder). */
export function packageOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ours = /\/(gateway\/contracts|gateway|subgraphs\/[^/]+|scripts)\/dist\/([^/]+)/.exec(url);
  return ours ? `ours: ${ours[1]}/${ours[2]}` : url;
}

export function summariseProfile(profile: CpuProfile, top = 15, lastSeconds = Infinity): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const from = profile.endTime - lastSeconds * 1e6;
  let at = profile.startTime;
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from) return;
    totalUs += delta;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(gateway|subgraphs|scripts)\//, '$1/');
    const key = `${functionName || '(anonymous)'}  ${file ? `${file}:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = ['(idle)', '(program)', '(garbage collector)'].includes(functionName) ? functionName : packageOf(url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const idle = byPackage.get('(idle)') ?? 0;
  const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %`;
  const lines = [
    `${(totalUs / 1e6).toFixed(1)} s profiled, ${pct(totalUs - idle)} busy`,
    '',
    `top ${top} functions by self time (share of the profiled wall time):`,
  ];
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${key}`);
  lines.push('', 'self time by package:');
  for (const [pkg, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us)}  ${pkg}`);
  return lines;
}

if (require.main === module) {
  const [file, top, last] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/dist/bench/cpuProfileTop.js <file.cpuprofile> [topN] [lastSeconds]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(summariseProfile(profile, Number(top ?? 15), last ? Number(last) : Infinity).join('\n'));
}
