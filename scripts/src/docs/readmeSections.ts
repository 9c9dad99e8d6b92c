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

/** Sections generated from code alone; others (the examples' answers) need a running hub. */
const STATIC_SECTIONS: Record<string, () => string> = {
  'error-codes': errorCodeTable,
};

function markers(name: string): [string, string] {
  return [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
}

/** The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function readSection(readme: string, name: string): string {
  const [start, end] = markers(name);
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md lacks the ${start} … ${end} markers`);
  return readme.slice(from + start.length, to).replace(/^\n/, '').replace(/\n$/, '');
}

/** Replaces the text of each named section. */
export function replaceSections(readme: string, sections: Record<string, string>): string {
  let out = readme;
  for (const [name, text] of Object.entries(sections)) {
    const [start, end] = markers(name);
    readSection(out, name);
    out = `${out.slice(0, out.indexOf(start) + start.length)}\n${text}\n${out.slice(out.indexOf(end))}`;
  }
  return out;
}

/** The README with its statically generated sections brought up to date. */
export function renderSections(readme: string): string {
  return replaceSections(readme, Object.fromEntries(Object.entries(STATIC_SECTIONS).map(([name, render]) => [name, render()])));
}

/**
 * Regenerates the README's generated sections (plus any `extra` sections given, such as the
 * examples rendered from a running hub); with `check`, only reports whether they are stale.
 */
export function updateReadme(options: { check?: boolean; file?: string; extra?: Record<string, string> } = {}): { changed: boolean } {
  const file = options.file ?? README_FILE;
  const current = readFileSync(file, 'utf8');
  const next = replaceSections(renderSections(current), options.extra ?? {});
  if (next !== current && !options.check) writeFileSync(file, next);
  return { changed: next !== current };
}
