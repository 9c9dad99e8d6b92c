import type { RequestLimits } from '../config';
import type { LimitBreach } from './operationLimits';

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { maxBatch: 10, maxVariablesBytes: 64 * 1024 };

export type RequestLimitCode = 'BATCH_TOO_LARGE' | 'VARIABLES_TOO_LARGE';

export type RequestLimitBreach = Omit<LimitBreach, 'code'> & { code: RequestLimitCode };

/**
 * The first request-level limit a `/graphql` request breaks, or none. Pure. `body` is the parsed
 * POST body (an operation or a batch of them); `query` the parsed query string of a GET, whose
 * `variables` is still JSON text. Shapes that are not GraphQL requests pass: Apollo Server
 * refuses them with its own coded errors.
 */
export function checkRequestLimits(
  method: string,
  body: unknown,
  query: unknown,
  limits: RequestLimits,
): RequestLimitBreach | undefined {
  if (method === 'GET') {
    const variables = (query as { variables?: unknown } | null | undefined)?.variables;
    if (typeof variables !== 'string') return undefined;
    return variablesBreach(Buffer.byteLength(variables), limits) ?? depthBreach(parseJsonOrUndefined(variables));
  }
  if (Array.isArray(body)) {
    if (body.length > limits.maxBatch) {
      return {
        code: 'BATCH_TOO_LARGE',
        limit: limits.maxBatch,
        actual: body.length,
        message: `The batch holds ${body.length} operations; this hub accepts at most ${limits.maxBatch} in one request.`,
      };
    }
    for (const operation of body) {
      const breach = operationVariablesBreach(operation, limits);
      if (breach) return breach;
    }
    return undefined;
  }
  return operationVariablesBreach(body, limits);
}

/** Nesting of the variables' JSON: no GraphQL input type of this hub comes near it. */
export const MAX_VARIABLES_DEPTH = 32;

function operationVariablesBreach(operation: unknown, limits: RequestLimits): RequestLimitBreach | undefined {
  if (!operation || typeof operation !== 'object') return undefined;
  const variables = (operation as { variables?: unknown }).variables;
  if (variables === undefined || variables === null) return undefined;
  // Measured without recursion before anything recursive (JSON.stringify, coercion) touches it.
  const deep = depthBreach(typeof variables === 'string' ? parseJsonOrUndefined(variables) : variables);
  if (deep) return deep;
  const text = typeof variables === 'string' ? variables : JSON.stringify(variables);
  return variablesBreach(Buffer.byteLength(text), limits);
}

function depthBreach(variables: unknown): RequestLimitBreach | undefined {
  const depth = nestingDepth(variables, MAX_VARIABLES_DEPTH + 1);
  if (depth <= MAX_VARIABLES_DEPTH) return undefined;
  return {
    code: 'VARIABLES_TOO_LARGE',
    limit: MAX_VARIABLES_DEPTH,
    actual: depth,
    message: `The variables nest more than ${MAX_VARIABLES_DEPTH} levels deep; this hub accepts at most ${MAX_VARIABLES_DEPTH}.`,
  };
}

/** JSON text sent in a request (GET variables, extensions), or undefined when it is not JSON: Apollo Server refuses that itself. */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** How deep arrays and objects nest in a parsed JSON value, counting no further than `stopAt`. Iterative. */
export function nestingDepth(value: unknown, stopAt: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (depth >= stopAt) return depth;
    for (const child of Array.isArray(current) ? current : Object.values(current)) pending.push([child, depth + 1]);
  }
  return deepest;
}

function variablesBreach(bytes: number, limits: RequestLimits): RequestLimitBreach | undefined {
  if (bytes <= limits.maxVariablesBytes) return undefined;
  return {
    code: 'VARIABLES_TOO_LARGE',
    limit: limits.maxVariablesBytes,
    actual: bytes,
    message: `The variables take ${bytes} bytes of JSON; this hub accepts at most ${limits.maxVariablesBytes}.`,
  };
}
