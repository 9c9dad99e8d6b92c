import type { ApolloServerPlugin } from '@apollo/server';
import { parse, type DocumentNode } from 'graphql';
import { requestError } from '../errors';
import type { OperationLimits, RequestLimits } from '../config';
import { checkDocumentLimits, checkListSizes, type LimitBreach } from './operationLimits';
import { checkRequestLimits, type RequestLimitBreach } from './requestLimits';

/** A refused request, with how far past its bound it went. */
export function limitError(breach: LimitBreach) {
  return requestError(breach.code, breach.message, { limit: breach.limit, actual: breach.actual });
}

/**
 * Everything about a `/graphql` request that can be refused before Apollo Server parses and
 * validates it: batch length, variables size, and the shape of each document (depth, aliases,
 * root fields, fields, introspection depth). graphql-js's validation has rules that grow fast on
 * hostile documents (fragment bombs, thousands of overlapping fields), so the shape is measured
 * on a parse of our own first — bounded by the token limit — and the verdict remembered per text,
 * so a known document costs one map lookup. A document that does not parse passes: Apollo Server
 * refuses it with GRAPHQL_PARSE_FAILED.
 */
export function createRequestGate(limits: OperationLimits, requestLimits: RequestLimits, maxTokens: number) {
  const admitted = new Set<string>();
  const MEMO_SIZE = 2000;
  const MEMO_TEXT_LENGTH = 16 * 1024;
  const shapeBreach = (text: unknown): LimitBreach | undefined => {
    if (typeof text !== 'string' || admitted.has(text)) return undefined;
    let document: DocumentNode;
    try {
      document = parse(text, { maxTokens, noLocation: true });
    } catch {
      return undefined;
    }
    const breach = checkDocumentLimits(document, limits);
    // Only documents of ordinary size are remembered, so the memo stays small.
    if (!breach && text.length <= MEMO_TEXT_LENGTH) {
      if (admitted.size >= MEMO_SIZE) admitted.delete(admitted.values().next().value!);
      admitted.add(text);
    }
    return breach;
  };
  return (method: string, body: unknown, query: unknown): LimitBreach | RequestLimitBreach | undefined => {
    const requestBreach = checkRequestLimits(method, body, query, requestLimits);
    if (requestBreach) return requestBreach;
    const operations = method === 'GET' ? [query] : Array.isArray(body) ? body : [body];
    for (const operation of operations) {
      const breach =
        operation && typeof operation === 'object' ? shapeBreach((operation as { query?: unknown }).query) : undefined;
      if (breach) return breach;
    }
    return undefined;
  };
}

/** List sizes depend on variables: checked once Apollo Server has picked the operation. */
export function listSizePlugin(limits: Pick<OperationLimits, 'maxListSize'>): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          if (!operation) return;
          const breach = checkListSizes(document, operation, request.variables, limits.maxListSize);
          if (breach) throw limitError(breach);
        },
      };
    },
  };
}

/** Checks a request's batch length, variables and documents; the breach, or undefined when within bounds. */
export type RequestGate = ReturnType<typeof createRequestGate>;
