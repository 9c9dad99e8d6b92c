import type { GraphQLError } from 'graphql';
import { hubError } from '../errors';
import type { Withheld } from './shapeResponse';

/**
 * One error per withheld field coordinate (not one per list item), saying which agency withholds
 * it and why, with every response path where it was withheld.
 */
export function denialErrors(withheld: readonly Withheld[]): GraphQLError[] {
  return withheld.map(({ coordinate, decision, paths, firstPath }) => {
    const ruling = decision.rulings.find((r) => r.effect === 'deny' && r.agency === decision.agency) ?? decision.rulings[0];
    return hubError(
      decision.code,
      `${coordinate} is withheld by ${decision.agency}: ${ruling?.because ?? decision.code}.`,
      { agency: decision.agency, coordinate, paths, ...(ruling?.grant && decision.code !== 'GRANT_REQUIRED' ? { grant: ruling.grant.id } : {}) },
      firstPath,
    );
  });
}
