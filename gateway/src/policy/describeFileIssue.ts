import type { z } from 'zod';
import { closest } from './closestName';
import { POLICY_KEYS } from './model';

/**
 * A policy file's format error in the words a CDO reads: what the line says, what is allowed
 * there, and the nearest allowed value ("did you mean"), instead of the validator's wording
 * (`types.School.fields.code.class: Invalid option`). Pure: the issue, the file's parsed value.
 */
export interface FileIssue {
  /** The path to point at (for a misspelt key, the key itself). */
  path: PropertyKey[];
  message: string;
  hint?: string;
}

export function describeFileIssue(issue: z.core.$ZodIssue, value: unknown): FileIssue[] {
  const path = issue.path as PropertyKey[];
  const subject = describePath(path, value);
  const key = String(path[path.length - 1] ?? 'file');
  const given = valueAt(value, path);
  switch (issue.code) {
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const guess = typeof given === 'string' ? closest(given, allowed) : undefined;
      return [
        {
          path,
          message: `${subject}: ${key} must be one of ${allowed.join(', ')}; ${JSON.stringify(given)} is not${guess ? ` — did you mean ${guess}?` : ''}`,
        },
      ];
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeys(path);
      return issue.keys.map((unknown) => {
        const guess = allowed ? closest(unknown, allowed) : undefined;
        return {
          path: [...path, unknown],
          message: `${describePath([...path, unknown], value)}: "${unknown}" is not a key here${guess ? ` — did you mean ${guess}?` : ''}`,
          ...(allowed ? { hint: `allowed here: ${allowed.join(', ')}` } : {}),
        };
      });
    }
    case 'invalid_type':
      return [
        {
          path,
          message:
            given === undefined
              ? `${subject}: ${key} is missing`
              : `${subject}: ${key} must be ${article(issue.expected)}, not ${describeValue(given)}`,
        },
      ];
    case 'invalid_union':
      return [
        {
          path,
          message: `${subject}: ${JSON.stringify(given)} is neither a field coordinate nor a masked field`,
          hint: 'write `- Type.field` or `- Type.field: mask`',
        },
      ];
    case 'too_small':
      return [
        {
          path,
          message: `${subject}: ${key} ${issue.origin === 'array' ? 'needs at least one entry' : 'is too small'}`,
        },
      ];
    case 'invalid_format':
      return [{ path, message: `${subject}: ${key} ${issue.message.replace(/^Invalid string: /, '')}` }];
    default:
      return [{ path, message: `${subject}: ${issue.message}` }];
  }
}

/** The part of a policy file a path is in, as a CDO names it: `School.code`, `School (default)`, `grant "EDU-1"`. */
function describePath(path: readonly PropertyKey[], value: unknown): string {
  const [top, name, part, item] = path.map(String);
  if (top === 'types' && name) {
    if (part === 'fields' && item) return `${name}.${item}`;
    if (part === 'arguments' && item) return `${name}.${item}`;
    if (part === 'default') return `${name} (default)`;
    return name;
  }
  if (top === 'grants' && name !== undefined) {
    const id = valueAt(value, ['grants', name, 'id']);
    return typeof id === 'string' ? `grant "${id}"` : `grant #${Number(name) + 1}`;
  }
  return 'the policy file';
}

/** The keys allowed in the map at `path`, when the format fixes them. */
function allowedKeys(path: readonly PropertyKey[]): readonly string[] | undefined {
  const [top, , part] = path.map(String);
  if (path.length === 0) return POLICY_KEYS.file;
  if (top === 'types' && path.length === 2) return POLICY_KEYS.type;
  if (top === 'types' && path.length === 3 && part === 'default') return POLICY_KEYS.field;
  if (top === 'types' && path.length === 4 && part === 'fields') return POLICY_KEYS.field;
  if (top === 'types' && path.length === 4 && part === 'arguments') return POLICY_KEYS.argument;
  if (top === 'grants' && path.length === 2) return POLICY_KEYS.grant;
  return undefined;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[step as string];
  }
  return at;
}

function article(expected: string): string {
  return expected === 'array' ? 'a list' : expected === 'object' ? 'a map' : `a ${expected}`;
}

function describeValue(given: unknown): string {
  if (Array.isArray(given)) return 'a list';
  if (given === null) return 'empty';
  if (typeof given === 'object') return 'a map';
  return `${typeof given} ${JSON.stringify(given)}`;
}
