import { Kind, parse, type DocumentNode, type FieldDefinitionNode, type InputValueDefinitionNode } from 'graphql';

/**
 * Publishing checks the agency serves what it publishes: gateways plan a published field to the
 * agency's subgraph at once, so a field the running subgraph does not have yet fails every query
 * naming it (`GRAPHQL_VALIDATION_FAILED` from the agency). These are the coordinates — types,
 * fields, arguments, enum values — the proposed SDL has and the running subgraph's
 * `_service { sdl }` does not. Pure.
 */
export function unservedCoordinates(proposedSdl: string, servedSdl: string): string[] {
  const served = new Set(coordinatesOf(parse(servedSdl)));
  return [...new Set(coordinatesOf(parse(proposedSdl)))].filter((c) => !served.has(c)).sort();
}

function coordinatesOf(document: DocumentNode): string[] {
  const found: string[] = [];
  const fields = (type: string, list: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined) => {
    for (const field of list ?? []) {
      found.push(`${type}.${field.name.value}`);
      if (field.kind === Kind.FIELD_DEFINITION)
        for (const argument of field.arguments ?? []) found.push(`${type}.${field.name.value}(${argument.name.value})`);
    }
  };
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION:
        found.push(definition.name.value);
        fields(definition.name.value, definition.fields);
        break;
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION:
        found.push(definition.name.value);
        for (const value of definition.values ?? []) found.push(`${definition.name.value}.${value.name.value}`);
        break;
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.UNION_TYPE_DEFINITION:
        found.push(definition.name.value);
        break;
      default:
    }
  }
  return found;
}

/** What the running subgraph answered, checked once or until `waitSeconds` have passed. */
export type ServingOutcome = { served: true; polls: number } | { served: false; polls: number; reason: string };

/**
 * Asks the running subgraph for its SDL until it serves every coordinate of the proposal, or
 * `waitSeconds` pass (0: ask once). `fetchSdl` is the signed `_service { sdl }` call.
 */
export async function awaitServed(options: {
  proposedSdl: string;
  url: string;
  fetchSdl: () => Promise<string>;
  waitSeconds: number;
  pollMs?: number;
}): Promise<ServingOutcome> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  let polls = 0;
  for (;;) {
    polls++;
    let reason: string;
    try {
      const missing = unservedCoordinates(options.proposedSdl, await options.fetchSdl());
      if (!missing.length) return { served: true, polls };
      reason = `the running subgraph at ${options.url} does not serve ${missing.join(', ')}`;
    } catch (error) {
      reason = `cannot read the running subgraph's schema at ${options.url}: ${(error as Error).message}`;
    }
    if (Date.now() >= deadline) return { served: false, polls, reason };
    // A CLI waiting for a deployment, not a test: a pause between questions is what is asked for.
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 1000, deadline - Date.now())));
  }
}
