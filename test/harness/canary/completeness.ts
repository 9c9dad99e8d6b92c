import { NOT_SEEDABLE, seededCoordinates } from './canaryColumns';
import type { PolicyViews } from './policyViews';

/**
 * The canary map against the fields the supergraph and the policies protect: every protected
 * (CONDITIONAL or NOT_SHARED) leaf field must be seeded or listed as not seedable, and nothing may
 * be listed that is no longer protected — a new protected field cannot slip past the oracle.
 */
export function canaryMapGaps(policy: PolicyViews): { unseeded: string[]; stale: string[] } {
  const protectedLeaves = policy.protectedLeafCoordinates();
  const covered = new Set([...seededCoordinates(), ...Object.keys(NOT_SEEDABLE)]);
  return {
    unseeded: protectedLeaves.filter((coordinate) => !covered.has(coordinate)),
    stale: [...covered].filter((coordinate) => !protectedLeaves.includes(coordinate)).sort(),
  };
}
