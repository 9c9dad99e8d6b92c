import { DEFAULT_OPERATIONS_FILE } from '@cdo-hub/gateway/config';
import { loadExamples } from '@cdo-hub/gateway/playground';
import { manifestFromDocuments } from '@cdo-hub/gateway/persisted';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The allow-list's text: the example operations (`schema/examples/`), one entry each. */
export function renderOperationsManifest(): string {
  return JSON.stringify(manifestFromDocuments(loadExamples().map((example) => example.query)), null, 2) + '\n';
}

/** Writes the manifest (or, with `check`, only says whether the committed one is stale). */
export function updateOperationsManifest(options: { check: boolean; file?: string }): {
  changed: boolean;
  file: string;
  operations: number;
} {
  const file = options.file ?? DEFAULT_OPERATIONS_FILE;
  const text = renderOperationsManifest();
  const changed = !existsSync(file) || readFileSync(file, 'utf8') !== text;
  if (changed && !options.check) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { changed, file, operations: (JSON.parse(text) as { operations: unknown[] }).operations.length };
}
