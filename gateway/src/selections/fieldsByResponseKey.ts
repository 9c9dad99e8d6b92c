import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Reading an operation's selection sets as GraphQL's CollectFields does: the fields a selection
 * set stands for, grouped by response key, through inline fragments and fragment spreads. The
 * enforcement's response walks ask it for one concrete type with @skip/@include applied; the CSV
 * export, which reads an operation without its schema or variables, for every field.
 */

/** Whether a selection counts where it stands: its directives, and a fragment's type condition (if it has one). */
export type SelectionApplies = (selection: SelectionNode, typeCondition: string | undefined) => boolean;

const EVERY_SELECTION: SelectionApplies = () => true;

/** A document's fragment definitions by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
}

/**
 * The fields of a selection set by response key, in order, fragments flattened; `applies` picks
 * the selections that count (all of them when left out). A fragment spread is followed once.
 */
export function fieldsByResponseKey(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  applies: SelectionApplies = EVERY_SELECTION,
  into = new Map<string, FieldNode[]>(),
  visited = new Set<string>(),
): Map<string, FieldNode[]> {
  for (const selection of selectionSet.selections) {
    switch (selection.kind) {
      case Kind.FIELD: {
        if (!applies(selection, undefined)) break;
        const key = selection.alias?.value ?? selection.name.value;
        into.set(key, [...(into.get(key) ?? []), selection]);
        break;
      }
      case Kind.INLINE_FRAGMENT:
        if (applies(selection, selection.typeCondition?.name.value))
          fieldsByResponseKey(selection.selectionSet, fragments, applies, into, visited);
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visited.has(name) || !applies(selection, fragment.typeCondition.name.value)) break;
        visited.add(name);
        fieldsByResponseKey(fragment.selectionSet, fragments, applies, into, visited);
        break;
      }
      default:
    }
  }
  return into;
}

/** The selection below the fields at one response key: their selection sets, merged in order. */
export function mergedSelection(fields: readonly FieldNode[]): SelectionSetNode {
  return { kind: Kind.SELECTION_SET, selections: fields.flatMap((field) => field.selectionSet?.selections ?? []) };
}
