import { readFileSync } from 'node:fs';
import { Kind, parse, visit, type ASTNode } from 'graphql';
import { AGENCY_PACKAGES } from '../agencies';

/**
 * Every type, field and enum value an agency publishes carries a description: the descriptions
 * are the data catalog's text, so an undocumented element is a catalog entry with nothing to say.
 * (Arguments are explained in their field's description.)
 */
function undocumented(sdl: string): string[] {
  const missing: string[] = [];
  const typeStack: string[] = [];
  const describe = (node: ASTNode & { description?: { value: string } }, name: string) => {
    if (!node.description?.value.trim()) missing.push(name);
  };
  visit(parse(sdl), {
    enter(node) {
      switch (node.kind) {
        case Kind.OBJECT_TYPE_DEFINITION:
        case Kind.ENUM_TYPE_DEFINITION:
        case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        case Kind.INTERFACE_TYPE_DEFINITION:
        case Kind.UNION_TYPE_DEFINITION:
        case Kind.SCALAR_TYPE_DEFINITION:
          describe(node, node.name.value);
          typeStack.push(node.name.value);
          break;
        case Kind.FIELD_DEFINITION:
        case Kind.ENUM_VALUE_DEFINITION:
          describe(node, `${typeStack[typeStack.length - 1]}.${node.name.value}`);
          break;
        default:
      }
    },
    leave(node) {
      if ('name' in node && node.kind.endsWith('TypeDefinition')) typeStack.pop();
    },
  });
  return missing;
}

describe.each(AGENCY_PACKAGES.map((agency) => [agency.id, agency.sdlFile]))('the %s SDL', (_, file) => {
  it('describes every type, field and enum value', () => {
    expect(undocumented(readFileSync(file, 'utf8'))).toEqual([]);
  });
});
