import { repoRoot } from '@cdo-hub/subgraph-kit/paths';
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { cliReference } from './cliReference';
import { configurationReference } from './configurationReference';
import { errorCodeTable } from './errorReference';
import { replaceSections } from './sections';

const DOCS_DIR = join(repoRoot(), 'docs');
export const ERRORS_FILE = join(DOCS_DIR, 'reference', 'errors.md');
export const CLI_FILE = join(DOCS_DIR, 'reference', 'cli.md');
export const CONFIGURATION_FILE = join(DOCS_DIR, 'reference', 'configuration.md');
/** The example queries with the answers a running hub gave (`hub docs --gateway`). */
export const EXAMPLES_FILE = join(DOCS_DIR, 'guides', 'example-queries.md');

/** Which file holds each generated section. */
const SECTION_FILES: Record<string, string> = {
  'error-codes': ERRORS_FILE,
  cli: CLI_FILE,
  configuration: CONFIGURATION_FILE,
  examples: EXAMPLES_FILE,
};

/** Sections generated from code alone; the examples' answers need a running hub and come as `extra`. */
export function staticSections(program: Command): Record<string, string> {
  return { 'error-codes': errorCodeTable(), cli: cliReference(program), configuration: configurationReference() };
}

/**
 * Regenerates every generated section of the docs (plus `extra` sections, such as the examples
 * rendered from a running hub); with `check`, writes nothing. Returns the files that were (or
 * would be) changed, relative to the repository.
 */
export function updateGeneratedDocs(options: { program: Command; check?: boolean; extra?: Record<string, string> }): {
  stale: string[];
} {
  const sections = { ...staticSections(options.program), ...(options.extra ?? {}) };
  const byFile = new Map<string, Record<string, string>>();
  for (const [name, text] of Object.entries(sections)) {
    const file = SECTION_FILES[name];
    if (!file) throw new Error(`no docs file holds the generated section "${name}"`);
    byFile.set(file, { ...byFile.get(file), [name]: text });
  }
  const stale: string[] = [];
  for (const [file, fileSections] of byFile) {
    const current = readFileSync(file, 'utf8');
    const next = replaceSections(current, fileSections);
    if (next === current) continue;
    stale.push(relative(repoRoot(), file));
    if (!options.check) writeFileSync(file, next);
  }
  return { stale };
}
