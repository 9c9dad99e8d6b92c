import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
} from '@apollo/server-gateway-interface';
import { getVariableValues, type GraphQLSchema } from 'graphql';
import {
  compileOperationView,
  countEntities,
  denialErrors,
  groupScopeErrors,
  reservedAliasIn,
  shapeResponse,
  type OperationView,
  type ViewCache,
} from '../enforcement';
import { hubError } from '../errors';
import { caseReferenceOf, caseSignature, NO_CASE, type PolicyRuntime, type PolicySet } from '../policy';
import type { Supergraph } from '../supergraph';
import { responseTags, type ResponseCache } from '../cache';
import type { DecidedView, GatewayContext, OperationRuns } from '../requestState';
import { traceOperationView, traceShaping } from '../tracing';
import { introspectionRoots, type ConsumerIntrospection } from './introspection';
import { subjectsOfOperation, type SubjectsSeen } from '../subjects';

/** The supergraph a request was validated against, as the executor needs it. */
export interface ServedSupergraph {
  supergraph: Supergraph;
  /** Apollo's executor of that supergraph: plans and fetches from the agencies. */
  executor: GatewayExecutor;
  /** Set when that supergraph has been replaced: the policies in force when it was. */
  retiredPolicySet?: PolicySet;
}

export interface EnforcingExecutorDeps {
  servedFor(schema: GraphQLSchema): ServedSupergraph;
  /** Absent in `--open` mode: Apollo's executor runs alone. */
  policies: PolicyRuntime | undefined;
  onDenied: 'null' | 'reject' | undefined;
  maskHashKey: string;
  cache: ResponseCache | undefined;
  views: ViewCache<OperationView>;
  introspection: ConsumerIntrospection;
  runs: OperationRuns;
  /** The subjects each operation's answer carries: a cached answer replays those it was stored with. */
  subjects?: SubjectsSeen;
  now(): number;
}

/**
 * The hub's executor around Apollo's: decides the consumer's view of the operation, has Apollo
 * plan and fetch that view (through the response cache when there is one), then reshapes the
 * answer — withheld fields null with one error each, masks applied — and records what ran for
 * the audit.
 */
export function enforcingExecutor(deps: EnforcingExecutorDeps): GatewayExecutor {
  return async (requestContext: GatewayGraphQLRequestContext): Promise<GatewayExecutionResult> => {
    const context = requestContext.context as GatewayContext;
    // The supergraph this request was validated against (a switch may have happened since).
    const served = deps.servedFor(requestContext.schema);
    const plan = served.executor;
    const supergraph = served.supergraph;
    deps.runs.record(context, { supergraphVersion: supergraph.version });
    // An operationName the document does not define: the client's mistake, said as such.
    if (!requestContext.operation) {
      const named = requestContext.operationName ?? requestContext.request.operationName;
      return {
        errors: [
          hubError(
            'OPERATION_RESOLUTION_FAILURE',
            named
              ? `The document defines no operation named "${named}".`
              : 'The document has several operations: name the one to run in operationName.',
          ),
        ],
      };
    }
    const policies = deps.policies;
    if (!policies) return plan(requestContext);
    const identity = context.identity;
    if (!identity) throw new Error('no identity on an enforced request');
    const policySet = served.retiredPolicySet ?? policies.current();
    const now = deps.now();
    const { document, operationName, queryHash } = requestContext;
    const reserved = reservedAliasIn(document);
    if (reserved)
      return {
        errors: [
          hubError(
            'RESERVED_ALIAS',
            `The alias "${reserved}" is reserved for the gateway's own fields (aliases starting hub…__); choose another.`,
            { alias: reserved },
          ),
        ],
      };

    // The operation Apollo Server resolved is the one every stage reads: never picked again from the document.
    const { operation } = requestContext;
    const introspection = introspectionRoots(document, operation);
    if (introspection === 'mixed') {
      return {
        errors: [
          hubError(
            'INTROSPECTION_NOT_ALONE',
            'Send introspection (__schema, __type) in an operation of its own: it is answered from your own view of the schema.',
          ),
        ],
      };
    }
    if (introspection === 'only') return deps.introspection.answer(policySet, identity, requestContext, now);

    // A view depends on the request's case only through the consumer's case-bound grants' verdicts.
    const requestCase = context.requestCase ?? NO_CASE;
    const viewKey = `${policySet.version}|${identity.consumer.id}|${identity.purpose ?? ''}|${queryHash}|${operationName ?? ''}|${caseSignature(policySet, identity.consumer.id, requestCase)}`;
    const view = traceOperationView(deps.views.get(viewKey, now), () => {
      const compiled = compileOperationView(policySet, identity, document, operation, queryHash, now, requestCase);
      deps.views.set(viewKey, compiled);
      return compiled;
    });
    const caseId = caseReferenceOf(requestCase);
    let decided: DecidedView = { policySet, decidedAt: now, view, ...(caseId ? { caseId } : {}) };
    const record = (more: Partial<Pick<DecidedView, 'entities' | 'cache'>>) => {
      decided = { ...decided, ...more };
      deps.runs.record(context, { supergraphVersion: supergraph.version, decided });
    };
    record({});
    // Variables as execution sees them (defaults filled in, values coerced): @include/@skip
    // are decided on these when responses are reshaped, counted and tagged.
    const coerced = getVariableValues(
      policySet.schema,
      operation.variableDefinitions ?? [],
      requestContext.request.variables ?? {},
    );
    if (coerced.errors) return { errors: coerced.errors.map((error) => hubError('BAD_USER_INPUT', error.message)) };
    const variables = coerced.coerced;
    // The cache key takes the variables the operation declares, as sent: extra ones change nothing.
    const declaredVariables = Object.fromEntries(
      (operation.variableDefinitions ?? []).flatMap((definition) => {
        const name = definition.variable.name.value;
        return requestContext.request.variables && Object.hasOwn(requestContext.request.variables, name)
          ? [[name, requestContext.request.variables[name]]]
          : [];
      }),
    );
    // What the audit counts for a view served as fetched (the reshaping path counts as it goes).
    const countsOf = view.unrestricted
      ? (result: GatewayExecutionResult) =>
          countEntities(policySet.schema, document, operation, variables, view.decisions, result.data)
      : undefined;
    // The agencies' answer for this view: from the cache, or fetched (and cached when allowed).
    const fetchView = async (
      request: GatewayGraphQLRequestContext,
    ): Promise<{ result: GatewayExecutionResult; entities?: Record<string, number> }> => {
      const cache = deps.cache;
      if (!cache) {
        const result = await plan(request);
        return { result, ...(countsOf ? { entities: countsOf(result) } : {}) };
      }
      const { result, outcome, entities } = await cache.execute(
        {
          view,
          policySet,
          supergraphVersion: supergraph.version,
          operationName,
          variables: declaredVariables,
          isQuery: operation.operation === 'query',
          now,
          ...(deps.subjects ? { subjects: subjectsOfOperation(deps.subjects, context) } : {}),
        },
        () => plan(request),
        // The fetched document is the view's (rewritten when fields were removed): its operation of the same name.
        (result) =>
          responseTags(
            policySet.schema,
            supergraph.ownership.keys,
            request.document,
            operationName,
            variables,
            result.data,
          ),
        countsOf,
      );
      record({ cache: outcome });
      return { result, ...(entities ? { entities } : {}) };
    };
    if (view.unrestricted) {
      const { result, entities } = await fetchView(requestContext);
      if (entities) record({ entities });
      return withGroupedScopeErrors(result);
    }

    if (deps.onDenied === 'reject') {
      const denied = [...view.decisions].filter(([, d]) => d.effect === 'deny');
      if (denied.length) {
        return {
          errors: [
            hubError(
              'OPERATION_DENIED',
              `The operation reads ${denied.length} field(s) ${identity.consumer.id} may not read for purpose ${identity.purpose ?? '(none)'}.`,
              {
                denied: denied.map(([coordinate, d]) => ({
                  coordinate,
                  code: d.effect === 'deny' ? d.code : undefined,
                  agency: d.effect === 'deny' ? d.agency : undefined,
                })),
              },
            ),
          ],
        };
      }
    }

    const { result } = await fetchView({ ...requestContext, document: view.document, queryHash: view.queryHash });
    const shaped = traceShaping(() =>
      shapeResponse(
        policySet.schema,
        document,
        operation,
        variables,
        view.decisions,
        result.data,
        {
          hashKey: deps.maskHashKey,
          consumerId: identity.consumer.id,
        },
        view.argumentsOf,
      ),
    );
    record({ entities: shaped.entities });
    const errors = [...groupScopeErrors(result.errors ?? []), ...denialErrors(shaped.withheld)];
    return { ...result, data: shaped.data, ...(errors.length ? { errors } : {}) };
  };
}

function withGroupedScopeErrors(result: GatewayExecutionResult): GatewayExecutionResult {
  return result.errors?.length ? { ...result, errors: groupScopeErrors(result.errors) } : result;
}
