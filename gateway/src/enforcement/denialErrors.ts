import type { GraphQLError } from 'graphql';
import { hubError } from '../errors';
import { CASE_HEADER } from '../policy';
import { denialGuidance } from './denialGuidance';
import type { Withheld } from './shapeResponse';

/**
 * One error per withheld field coordinate (not one per list item), saying which agency withholds
 * it and why, with every response path where it was withheld. A field refused by an argument is
 * reported once under the argument's coordinate `Type.field(arg)`. A denial a grant would answer
 * also says where the field is described and how to apply for it (denialGuidance.ts).
 */
export function denialErrors(withheld: readonly Withheld[]): GraphQLError[] {
  return withheld.map(({ coordinate, decision, paths, firstPath }) => {
    const ruling =
      decision.rulings.find((r) => r.effect === 'deny' && r.agency === decision.agency) ?? decision.rulings[0];
    // Arguments and small counts are new kinds of denial: their errors also carry the legal basis
    // and the threshold (fields keep theirs in the message, as before).
    const legalBasis = decision.code === 'ARGUMENT_NOT_SHARED' ? ruling?.classification?.legalBasis : undefined;
    const subject = decision.code === 'ARGUMENT_NOT_SHARED' ? `The argument ${coordinate}` : coordinate;
    return hubError(
      decision.code,
      `${subject} is withheld by ${decision.agency}: ${ruling?.because ?? decision.code}.`,
      {
        agency: decision.agency,
        coordinate,
        paths,
        ...(ruling?.grant && decision.code !== 'GRANT_REQUIRED' ? { grant: ruling.grant.id } : {}),
        ...(legalBasis ? { legalBasis } : {}),
        ...(decision.minCount !== undefined ? { minCount: decision.minCount } : {}),
        // The holder's own grant asks for the case: where to send it and, when the agency set one, its format.
        ...(decision.code === 'CASE_REQUIRED' || decision.code === 'CASE_INVALID'
          ? {
              caseHeader: CASE_HEADER,
              ...(ruling?.grant?.requiresCase?.format ? { caseFormat: ruling.grant.requiresCase.format.pattern } : {}),
            }
          : {}),
        // What to do about it: the catalog entry and the grant request to file (docs/guides/app-developers.md).
        ...denialGuidance(coordinate, decision),
      },
      firstPath,
    );
  });
}

/**
 * OUT_OF_SCOPE errors come from the agencies one per row (a roster per school outside the
 * grant's district); the consumer gets one per coordinate, with every path, like a denial.
 */
export function groupScopeErrors(errors: readonly GraphQLError[]): GraphQLError[] {
  const grouped = new Map<string, { first: GraphQLError; paths: string[] }>();
  const others: GraphQLError[] = [];
  for (const error of errors) {
    const coordinate = error.extensions?.code === 'OUT_OF_SCOPE' ? error.extensions.coordinate : undefined;
    if (typeof coordinate !== 'string') {
      others.push(error);
      continue;
    }
    const template = (error.path ?? []).filter((key) => typeof key === 'string').join('.');
    const entry = grouped.get(coordinate);
    if (!entry) grouped.set(coordinate, { first: error, paths: [template] });
    else if (!entry.paths.includes(template)) entry.paths.push(template);
  }
  return [
    ...others,
    ...[...grouped.values()].map(({ first, paths }) =>
      hubError('OUT_OF_SCOPE', first.message, { ...first.extensions, paths }, first.path),
    ),
  ];
}
