import { gunzipSync, inflateSync } from 'node:zlib';
import type { Canary, CanaryRegistry } from './seedCanaries';

/**
 * Looks for canaries in everything a consumer receives: the status line, every header, the body
 * (each JSON value by its path, then the raw text for anything outside them), and every
 * base64 / base64url / hex / percent-encoded / gzip- or zlib-compressed substring, decoded,
 * recursively a few levels deep — a cursor, a token, an ETag or an id that packs a value is read
 * as an attacker would read it.
 */

export interface Sighting {
  canary: Canary;
  /** Where it was seen: `header etag`, `cursor data.schools.nodes.0.students.pageInfo.endCursor (base64url-decoded)`… */
  channel: string;
  excerpt: string;
}

/** How deep decoded text is decoded again (a base64 cursor holding hex holding a value is three). */
const MAX_DECODE_DEPTH = 3;
const BASE64_RUN = /[A-Za-z0-9+/_-]{12,}={0,2}/g;
const HEX_RUN = /(?:[0-9a-fA-F]{2}){8,}/g;

/** Canaries in `text` and in everything encoded in it, down to `maxDepth` decodings. */
export function scanText(
  registry: CanaryRegistry,
  text: string,
  channel: string,
  maxDepth = MAX_DECODE_DEPTH,
): Sighting[] {
  const sightings: Sighting[] = registry
    .find(text)
    .map(({ canary, index }) => ({ canary, channel, excerpt: excerptAround(text, index, canary.mark.length) }));
  if (maxDepth <= 0) return sightings;
  for (const decoded of decodings(text)) {
    sightings.push(
      ...scanText(registry, decoded.text, `${channel} (${decoded.how} "${clip(decoded.source, 32)}")`, maxDepth - 1),
    );
  }
  return sightings;
}

/** Every text hidden in `text` by an encoding a hub could use for a cursor or an id. */
function decodings(text: string): { how: string; source: string; text: string }[] {
  const found: { how: string; source: string; text: string }[] = [];
  const seen = new Set<string>();
  const add = (how: string, source: string, bytes: Buffer) => {
    for (const [label, plain] of [
      [how, bytes],
      ...decompressed(bytes).map(([kind, b]) => [`${how}, ${kind}`, b] as const),
    ] as const) {
      const decodedText = (plain as Buffer).toString('utf8');
      if (decodedText.length < 4 || seen.has(decodedText)) continue;
      seen.add(decodedText);
      found.push({ how: label as string, source, text: decodedText });
    }
  };
  for (const match of text.matchAll(BASE64_RUN)) {
    const run = match[0].replace(/=+$/, '');
    const how = /[-_]/.test(run) ? 'base64url-decoded' : 'base64-decoded';
    // A run may begin inside the encoded text (a prefix glued on): try each alignment.
    for (let offset = 0; offset < 4 && run.length - offset >= 8; offset++)
      add(how, run, Buffer.from(run.slice(offset).replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  }
  for (const match of text.matchAll(HEX_RUN)) {
    for (let offset = 0; offset < 2; offset++)
      add(
        'hex-decoded',
        match[0],
        Buffer.from(match[0].slice(offset, match[0].length - ((match[0].length - offset) % 2)), 'hex'),
      );
  }
  if (/%[0-9a-fA-F]{2}/.test(text)) {
    try {
      add('percent-decoded', text, Buffer.from(decodeURIComponent(text), 'utf8'));
    } catch {
      // not well-formed percent-encoding: nothing hidden there
    }
  }
  return found;
}

/** gzip and zlib streams, known by their headers (raw deflate has none: trying it on every candidate costs 100× the scan). */
function decompressed(bytes: Buffer): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  const attempts: [string, (b: Buffer) => Buffer, boolean][] = [
    ['gunzipped', gunzipSync, bytes[0] === 0x1f && bytes[1] === 0x8b],
    ['inflated', inflateSync, bytes[0] === 0x78],
  ];
  for (const [kind, inflate, plausible] of attempts) {
    if (!plausible) continue;
    try {
      out.push([kind, inflate(bytes)]);
    } catch {
      // not compressed that way
    }
  }
  return out;
}

export interface ReceivedResponse {
  status: number;
  statusText: string;
  headers: Headers;
  bodyText: string;
}

/** Scans a whole HTTP response, each part under its own channel name. */
export function scanResponse(registry: CanaryRegistry, response: ReceivedResponse): Sighting[] {
  const sightings: Sighting[] = [...scanText(registry, `${response.status} ${response.statusText}`, 'status line')];
  response.headers.forEach((value, name) => sightings.push(...scanText(registry, value, `header ${name}`)));
  let json: unknown;
  try {
    json = JSON.parse(response.bodyText);
  } catch {
    json = undefined;
  }
  const inValues = json === undefined ? [] : scanJson(registry, json, []);
  sightings.push(...inValues);
  // The raw text too: what lies outside the JSON values (keys) as it is, a body that is not JSON decoded as well.
  const alreadySeen = new Set(inValues.map((s) => s.canary.mark));
  sightings.push(
    ...scanText(registry, response.bodyText, 'body', json === undefined ? MAX_DECODE_DEPTH : 0).filter(
      (s) => !alreadySeen.has(s.canary.mark),
    ),
  );
  return sightings;
}

function scanJson(registry: CanaryRegistry, value: unknown, path: (string | number)[]): Sighting[] {
  if (value === null || value === undefined || typeof value === 'boolean') return [];
  if (typeof value === 'string' || typeof value === 'number')
    return scanText(registry, typeof value === 'string' ? value : JSON.stringify(value), jsonChannel(path));
  if (Array.isArray(value)) return value.flatMap((item, index) => scanJson(registry, item, [...path, index]));
  return Object.entries(value as Record<string, unknown>).flatMap(([key, item]) =>
    scanJson(registry, item, [...path, key]),
  );
}

/** `cursor …` for cursors, `errors …` / `extensions …` / `data …` otherwise, with the JSON path. */
function jsonChannel(path: (string | number)[]): string {
  const last = String(path[path.length - 1] ?? '');
  const where = path.join('.');
  if (/cursor$/i.test(last)) return `cursor ${where}`;
  if (path[0] === 'errors') return `errors ${where}`;
  if (path[0] === 'extensions') return `extensions ${where}`;
  return `body ${where}`;
}

function excerptAround(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 30);
  return (
    (start > 0 ? '…' : '') +
    text.slice(start, index + length + 30).replace(/\s+/g, ' ') +
    (index + length + 30 < text.length ? '…' : '')
  );
}

function clip(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
