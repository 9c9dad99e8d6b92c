import { repoRoot } from '@cdo-hub/subgraph-kit';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The cross-agency example operations (`schema/examples/*.graphql`): each answers one question of
 * the domain reference in a single query, with default variables so it runs as it is. The README
 * shows them with the answers the seeded small dataset gives.
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

export const EXAMPLES_DIR = join(repoRoot(), 'schema', 'examples');

export function loadExamples(dir = EXAMPLES_DIR): ExampleOperation[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const comments = text.split('\n').filter((line) => line.startsWith('#')).map((line) => line.replace(/^#\s?/, ''));
      const query = text.split('\n').filter((line) => !line.startsWith('#')).join('\n').trim();
      const asLine = comments.find((line) => line.startsWith('as: '));
      const as = asLine ? /^as: ([a-z0-9-]+)(?: \(([a-z0-9-]+)\))?$/.exec(asLine) : null;
      const notes = comments.slice(1).filter((line) => line !== asLine);
      return { file, title: comments[0] ?? file, note: notes.join(' '), ...(as?.[1] ? { consumer: as[1] } : {}), ...(as?.[2] ? { purpose: as[2] } : {}), query };
    });
}

/** Runs an example against a gateway, as its consumer (with a token from `tokenFor`), and returns the response body. */
export async function runExample(gatewayUrl: string, example: ExampleOperation, tokenFor: (consumer: string) => Promise<string>): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (example.consumer) headers.authorization = `Bearer ${await tokenFor(example.consumer)}`;
  if (example.purpose) headers['x-data-purpose'] = example.purpose;
  const response = await fetch(gatewayUrl, { method: 'POST', headers, body: JSON.stringify({ query: example.query }) });
  return response.json();
}

/** JSON on one line with a space after each colon and comma, as people write it. */
function inlineJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

/**
 * JSON indented two spaces, but a value that fits in `width` characters, or a record of plain
 * values (a table row), stays on one line.
 */
export function compactJson(value: unknown, indent = '', width = 110): string {
  const flat = inlineJson(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  if (!Array.isArray(value) && Object.values(value).every((item) => item === null || typeof item !== 'object')) return flat;
  const inner = indent + '  ';
  if (Array.isArray(value)) return `[\n${value.map((item) => inner + compactJson(item, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner, width)}`);
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

export function renderExamples(examples: readonly ExampleOperation[], results: readonly unknown[]): string {
  return examples
    .map((example, i) =>
      [
        `### ${example.title}`,
        '',
        `${example.note ? `${example.note} — ` : ''}asked as \`${example.consumer ?? 'public'}\`${example.purpose ? ` stating purpose \`${example.purpose}\`` : ' (no token)'} — \`schema/examples/${example.file}\``,
        '',
        '```graphql',
        example.query,
        '```',
        '',
        '```json',
        compactJson(results[i]),
        '```',
      ].join('\n'),
    )
    .join('\n\n');
}
