import { loadExamples, type ExampleOperation } from '@cdo-hub/gateway/playground';

export { loadExamples, type ExampleOperation };

/** Runs an example against a gateway, as its consumer (with a token from `tokenFor`), and returns the response body. */
export async function runExample(
  gatewayUrl: string,
  example: ExampleOperation,
  tokenFor: (consumer: string) => Promise<string>,
): Promise<unknown> {
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
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${JSON.stringify(key)}: ${inlineJson(item)}`,
  );
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

/**
 * JSON indented two spaces, but a value that fits in `width` characters, or a record of plain
 * values (a table row), stays on one line.
 */
export function compactJson(value: unknown, indent = '', width = 110): string {
  const flat = inlineJson(value);
  if (flat.length + indent.length <= width || value === null || typeof value !== 'object') return flat;
  if (!Array.isArray(value) && Object.values(value).every((item) => item === null || typeof item !== 'object'))
    return flat;
  const inner = indent + '  ';
  if (Array.isArray(value))
    return `[\n${value.map((item) => inner + compactJson(item, inner, width)).join(',\n')}\n${indent}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `${inner}${JSON.stringify(key)}: ${compactJson(item, inner, width)}`,
  );
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
