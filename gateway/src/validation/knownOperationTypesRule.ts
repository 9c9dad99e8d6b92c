import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * Known operation types: an operation's type (query, mutation, subscription) must be a root
 * operation type the schema defines (GraphQL spec, "Operation Type Existence", §5.2.1; graphql-js
 * 17 ships it as `KnownOperationTypesRule`, 16 does not). Without it a `subscription` passes
 * validation here and the query planner throws on it: an unexpected error where the client
 * deserves a validation error.
 */
export function KnownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (!schema.getRootType(node.operation)) {
        context.reportError(new GraphQLError(`The schema has no ${node.operation} operations.`, { nodes: node }));
      }
    },
  };
}
