import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SoakReport } from './runSoak';

export const SOAK_FILE = join(repoRoot(), 'scripts', 'bench', 'SOAK.md');
export const SOAK_JSON = join(repoRoot(), 'scripts', 'bench', 'soak.json');

const BAR_WIDTH = 50;

/** The soak's samples as a table, an ASCII curve of the gateway's RSS over time, and the totals. */
export function renderSoak(report: SoakReport): string {
  const { samples, totals, settings } = report;
  const rss = samples.map((s) => s.rssMb);
  const peak = Math.max(...rss, 1);
  // RSS once the caches have filled (the first minute), against the end: the figure a leak moves.
  const settled = samples.find((s) => s.atSeconds >= 60) ?? samples[0];
  const end = samples[samples.length - 1];
  const statusList = (statuses: Record<string, number>) =>
    Object.entries(statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, n]) => `${status}: ${n}`)
      .join(', ') || '—';
  const lines = [
    '# Soak results',
    '',
    `Measured ${report.date.slice(0, 16).replace('T', ' ')} UTC with \`${report.command}\` on ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGb} GB, Node ${report.machine.node}.`,
    `${settings.minutes} min of load from ${settings.connections} connections (autocannon) against the whole hub as \`hub start\` runs it, \`${settings.dataset}\` dataset, cache ${settings.cache}; the gateway's RSS and V8 heap in use sampled every ${settings.sampleSeconds} s. Every answer must be JSON whose errors all carry a catalogued code.`,
    '',
    '## Summary',
    '',
    // No latency percentiles: a soak measures staying power, and autocannon's figures for this mixed stream did not square with its throughput.
    `- requests: ${totals.requests} (${totals.requestsPerSecond} req/s on average)`,
    `- statuses: ${statusList(totals.statuses)}`,
    `- failures (5xx, connection errors, timeouts, answers failing the check): ${totals.failures}${totals.firstFailure ? ` — first: \`${totals.firstFailure.slice(0, 200)}\`` : ''}`,
    `- gateway RSS: ${rss[0]} MB at the start, ${settled?.rssMb} MB after the first minute, ${end?.rssMb} MB at the end, ${peak} MB at the peak`,
    `- V8 heap in use: ${settled?.heapUsedMb} MB after the first minute, ${end?.heapUsedMb} MB at the end`,
    '',
    '## The request mix',
    '',
    '| request | kind | share of the stream |',
    '| --- | --- | --- |',
    ...report.mix.map((m) => `| ${m.name} | ${m.kind} | ${m.share} % |`),
    '',
    '## Gateway RSS over time',
    '',
    '```',
    ...samples.map(
      (s) =>
        `${String(s.atSeconds).padStart(5)} s ${String(s.rssMb).padStart(5)} MB |${'#'.repeat(Math.round((s.rssMb / peak) * BAR_WIDTH))}`,
    ),
    '```',
    '',
    '## Samples',
    '',
    '| time s | RSS MB | heap used MB | req/s | statuses since the sample before |',
    '| --- | --- | --- | --- | --- |',
    ...samples.map(
      (s) => `| ${s.atSeconds} | ${s.rssMb} | ${s.heapUsedMb} | ${s.requestsPerSecond} | ${statusList(s.statuses)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

export function writeSoak(report: SoakReport): void {
  writeFileSync(SOAK_FILE, renderSoak(report));
  writeFileSync(SOAK_JSON, JSON.stringify(report, null, 2) + '\n');
}
