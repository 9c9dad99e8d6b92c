import { ERROR_CATALOGUE } from '@cdo-hub/gateway/errors';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_FILE = join(repoRoot(), 'README.md');

/** The README's error-code table, generated from the gateway's catalogue. */
export function errorCodeTable(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => `| \`${code}\` | ${entry.httpStatus} | ${entry.description.replaceAll('|', '\\|')} |`);
  return ['| code | HTTP status | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

const SECTIONS: Record<string, () => string> = {
  'error-codes': errorCodeTable,
};

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` markers. */
export function renderSections(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- ${name}:start -->`;
    const end = `<!-- ${name}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`);
    out = `${out.slice(0, from + start.length)}\n${render()}\n${out.slice(to)}`;
  }
  return out;
}

/** Regenerates the README's generated sections; with `check`, only reports whether they are stale. */
export function updateReadme(options: { check?: boolean; file?: string } = {}): { changed: boolean } {
  const file = options.file ?? README_FILE;
  const current = readFileSync(file, 'utf8');
  const next = renderSections(current);
  if (next !== current && !options.check) writeFileSync(file, next);
  return { changed: next !== current };
}
