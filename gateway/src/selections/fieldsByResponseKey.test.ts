import { parse, type OperationDefinitionNode } from 'graphql';
import { fieldsByResponseKey, fragmentsOf } from './fieldsByResponseKey';

const document = parse(`
  query Q { school { code n: name ...Where ... on School { code } ... on Lab @skip(if: true) { level } } }
  fragment Where on School { district { name } n: name ...Where }
`);
const operation = document.definitions[0] as OperationDefinitionNode;
const school = fieldsByResponseKey(operation.selectionSet, fragmentsOf(document)).get('school')![0]!;

describe('fieldsByResponseKey', () => {
  it('groups fields by response key in order, through inline fragments and spreads (each spread once)', () => {
    const fields = fieldsByResponseKey(school.selectionSet!, fragmentsOf(document));
    expect([...fields.keys()]).toEqual(['code', 'n', 'district', 'level']);
    expect(fields.get('code')).toHaveLength(2);
    expect(fields.get('n')!.map((f) => f.name.value)).toEqual(['name', 'name']);
  });

  it('keeps only the selections that apply: type conditions and directives as the caller judges them', () => {
    const seen: [string, string | undefined][] = [];
    const fields = fieldsByResponseKey(school.selectionSet!, fragmentsOf(document), (selection, typeCondition) => {
      seen.push([selection.kind, typeCondition]);
      return !selection.directives?.length && typeCondition !== 'Lab';
    });
    expect([...fields.keys()]).toEqual(['code', 'n', 'district']);
    expect(seen).toContainEqual(['FragmentSpread', 'School']);
    expect(seen).toContainEqual(['InlineFragment', 'Lab']);
  });

  it('names a document’s fragments', () => {
    expect([...fragmentsOf(document).keys()]).toEqual(['Where']);
  });
});
