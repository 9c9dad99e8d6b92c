import type { GraphQLOutputType } from 'graphql';
import { maskTypeProblem, type MaskSpec } from './masks';

/**
 * The masks a CDO may choose for a field of this type, in the order a form offers them: every
 * mask `maskTypeProblem` accepts for it. `round(n)` stands for the rounding mask with its step
 * still to choose (any n > 0).
 */
const CANDIDATES: readonly { offered: string; spec: MaskSpec }[] = [
  { offered: 'name', spec: { kind: 'name' } },
  { offered: 'idNumber', spec: { kind: 'idNumber' } },
  { offered: 'mobile', spec: { kind: 'mobile' } },
  { offered: 'address', spec: { kind: 'address' } },
  { offered: 'yearOnly', spec: { kind: 'yearOnly' } },
  { offered: 'hash', spec: { kind: 'hash' } },
  { offered: 'round(n)', spec: { kind: 'round', step: 1 } },
  { offered: 'null', spec: { kind: 'null' } },
];

export function masksFitting(fieldType: GraphQLOutputType): string[] {
  return CANDIDATES.filter((candidate) => maskTypeProblem(candidate.spec, fieldType) === undefined).map(
    (candidate) => candidate.offered,
  );
}
