import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

/** Where a policy statement was written, so every problem and every decision can point at it. */
export interface SourceLocation {
  file: string;
  line: number;
}

export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}`;
}

/**
 * A YAML file parsed with positions: `value` is plain data, `locate(path)` the line where the
 * value at a path (e.g. `['grants', 0, 'fields', 1]`) was written.
 */
export interface YamlSource {
  file: string;
  value: unknown;
  syntaxErrors: { line: number; message: string }[];
  locate(path: readonly PropertyKey[]): SourceLocation;
}

export function readYamlSource(file: string, displayName = file): YamlSource {
  return parseYamlSource(readFileSync(file, 'utf8'), displayName);
}

export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxErrors = doc.errors.map((error) => ({
    line: lineCounter.linePos(error.pos[0]).line,
    message: error.message.split('\n')[0]!,
  }));
  return {
    file,
    value: syntaxErrors.length ? undefined : doc.toJS({ maxAliasCount: 50 }),
    syntaxErrors,
    locate: (path) => ({ file, line: lineOf(doc, lineCounter, path) }),
  };
}

function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number {
  // Walk up until some ancestor has a position (a missing key points at its parent map).
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    if (depth > 0) {
      // For a map entry, point at its key: that is where the reader looks.
      const parent = prefix.length > 1 ? doc.getIn(prefix.slice(0, -1), true) : doc.contents;
      const key = prefix[prefix.length - 1];
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
        const range = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (range) return lineCounter.linePos(range[0]).line;
      }
    }
    const node = depth === 0 ? doc.contents : doc.getIn(prefix, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return lineCounter.linePos(range[0]).line;
  }
  return 1;
}
