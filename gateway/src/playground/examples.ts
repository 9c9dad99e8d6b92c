import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_DIR } from '../config';

/**
 * The cross-agency example operations (`schema/examples/*.graphql`): each answers one question of
 * the domain reference in a single query, with default variables so it runs as it is. The
 * playground opens them as tabs; docs/guides/example-queries.md shows them with their answers.
 */
export interface ExampleOperation {
  file: string;
  /** The first comment line: the question the operation answers. */
  title: string;
  /** The remaining leading comment lines. */
  note: string;
  /** The consumer and purpose it is asked as (`# as: consumer (purpose)`); the public if absent. */
  consumer?: string;
  purpose?: string;
  query: string;
}

export const EXAMPLES_DIR = join(SCHEMA_DIR, 'examples');

export function loadExamples(dir = EXAMPLES_DIR): ExampleOperation[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const comments = text
        .split('\n')
        .filter((line) => line.startsWith('#'))
        .map((line) => line.replace(/^#\s?/, ''));
      const query = text
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join('\n')
        .trim();
      const asLine = comments.find((line) => line.startsWith('as: '));
      const as = asLine ? /^as: ([a-z0-9-]+)(?: \(([a-z0-9-]+)\))?$/.exec(asLine) : null;
      const notes = comments.slice(1).filter((line) => line !== asLine);
      return {
        file,
        title: comments[0] ?? file,
        note: notes.join(' '),
        ...(as?.[1] ? { consumer: as[1] } : {}),
        ...(as?.[2] ? { purpose: as[2] } : {}),
        query,
      };
    });
}
