import type { GatewayExecutionResult, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { execute, Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Identity } from '../consumers';
import { buildConsumerSchema, ViewCache, type ConsumerSchema } from '../enforcement';
import type { PolicySet } from '../policy';

/** Introspection answered from the consumer's own schema (what its view may read), never the full one. */
export class ConsumerIntrospection {
  private readonly schemas = new ViewCache<ConsumerSchema>(200);

  answer(
    policySet: PolicySet,
    identity: Identity,
    requestContext: GatewayGraphQLRequestContext,
    now: number,
  ): GatewayExecutionResult {
    const key = `${policySet.version}|${identity.consumer.id}|${identity.purpose ?? ''}`;
    let consumerSchema = this.schemas.get(key, now);
    if (!consumerSchema) {
      consumerSchema = buildConsumerSchema(policySet, identity, now);
      this.schemas.set(key, consumerSchema);
    }
    return execute({
      schema: consumerSchema.schema,
      document: requestContext.document,
      operationName: requestContext.operationName,
      variableValues: requestContext.request.variables ?? {},
    }) as GatewayExecutionResult;
  }
}

/** Whether the operation's root selections are introspection only, data only, or a mix. */
export function introspectionRoots(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): 'only' | 'none' | 'mixed' {
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [],
    ),
  );
  let introspection = false;
  let data = false;
  const walk = (selectionSet: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') introspection = true;
        else if (name !== '__typename') data = true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value) && fragments.has(selection.name.value))
        walk(fragments.get(selection.name.value)!, new Set([...seen, selection.name.value]));
    }
  };
  walk(operation.selectionSet, new Set());
  return introspection ? (data ? 'mixed' : 'only') : 'none';
}
