import { getNamedType, isLeafType, isObjectType } from 'graphql';
import { ownAgencyOf, type Consumer } from '../consumers';
import { decideField, type PolicySet } from '../policy';
import type { DisputeRefusal } from './disputeError';

/** Longest claim or answer reason kept, in characters: a dispute states what is wrong, not a file (evidence is for that). */
export const MAX_DISPUTE_TEXT = 4000;
/** Longest entity key accepted (the graph's keys are codes of 6 to 18 characters). */
export const MAX_DISPUTE_KEY = 200;

export interface FilingRequest {
  consumer: Consumer | undefined;
  /** The purpose the consumer read the value for; when absent, any of its registered purposes will do. */
  purpose: string | undefined;
  coordinate: string;
  key: string;
  claim: string;
}

export type FilingVerdict =
  | {
      ok: true;
      /** The agency that resolves the field: its CDO answers. */
      agency: string;
      /** The purpose under which the consumer reads the field (the one stated, or the first that releases it). */
      purpose: string | undefined;
    }
  | DisputeRefusal;

const invalid = (message: string): DisputeRefusal => ({ ok: false, code: 'DISPUTE_INVALID', message });

/**
 * Who may file a dispute over a value: a registered department (not the public, not a CDO or
 * operator identity, which read no data) that may read the field — released or masked — under
 * the policies and its grants at `now`, for the purpose it states or, when it states none, for
 * one of its registered purposes. The field must be a leaf of an entity type (a type with a key,
 * so the record can be named), not a key field itself (a key names the record; it is not a value
 * about it), resolved by one agency that is not the consumer's own (an agency corrects its own
 * data itself). Row scopes are not checked here: the filer learns nothing from filing, and the
 * answering CDO sees the key. Pure.
 */
export function filingDecision(policySet: PolicySet, request: FilingRequest, now: number): FilingVerdict {
  const { consumer, coordinate } = request;
  if (!consumer) return invalid('unknown consumer');
  if (consumer.kind === 'PUBLIC')
    return invalid('the public files no disputes: a department that reads the value does');
  if (consumer.kind === 'CDO' || consumer.kind === 'OPERATOR')
    return invalid(
      `${consumer.id} is a ${consumer.kind} identity and reads no data: the department that read the value files`,
    );
  const match = /^([A-Za-z_]\w*)\.([A-Za-z_]\w*)$/.exec(coordinate);
  if (!match) return invalid(`"${coordinate}" is not a field coordinate: write Type.field`);
  const [, typeName, fieldName] = match as unknown as [string, string, string];
  const type = policySet.schema.getType(typeName);
  if (!type || !isObjectType(type) || typeName.startsWith('__')) return invalid(`unknown type "${typeName}"`);
  const field = type.getFields()[fieldName];
  if (!field) return invalid(`unknown field ${coordinate}`);
  const keyFields = [...(policySet.ownership.keys.get(typeName) ?? [])];
  if (!keyFields.length) {
    const entities = [...policySet.ownership.keys.keys()].sort().join(', ');
    return invalid(`${typeName} has no key to name a record by: dispute a field of ${entities}`);
  }
  if (keyFields.includes(fieldName))
    return invalid(`${coordinate} is ${typeName}'s key: it names the record; dispute another of its fields`);
  if (!isLeafType(getNamedType(field.type)))
    return invalid(`${coordinate} is not a value but a link to other records: dispute a field of those`);
  const owners = policySet.ownership.resolvers.get(coordinate) ?? [];
  if (owners.length !== 1)
    return invalid(
      owners.length
        ? `${coordinate} is resolved by ${owners.join(' and ')}: a dispute goes to one agency`
        : `no agency resolves ${coordinate}`,
    );
  const agency = owners[0]!;
  if (ownAgencyOf(consumer) === agency)
    return invalid(`${coordinate} is ${agency}'s own data: ${agency} corrects it itself, no dispute is needed`);
  const keyProblem = keyShapeProblem(request.key, keyFields);
  if (keyProblem) return invalid(keyProblem);
  const claim = request.claim.trim();
  if (!claim) return invalid('say what is wrong with the value (the claim is empty)');
  if (claim.length > MAX_DISPUTE_TEXT) return invalid(`the claim is longer than ${MAX_DISPUTE_TEXT} characters`);

  if (request.purpose !== undefined && !consumer.purposes.includes(request.purpose))
    return invalid(
      `${consumer.id} does not state the purpose "${request.purpose}" (its purposes: ${consumer.purposes.join(', ') || 'none'})`,
    );
  const purposes = request.purpose !== undefined ? [request.purpose] : consumer.purposes;
  let refusal = '';
  for (const purpose of purposes.length ? purposes : [undefined]) {
    const decision = decideField(policySet, consumer, purpose, coordinate, now);
    if (decision.effect !== 'deny') return { ok: true, agency, purpose };
    refusal ||= decision.code;
  }
  return {
    ok: false,
    code: 'DISPUTE_FIELD_NOT_READABLE',
    message: `${consumer.id} may not read ${coordinate}${request.purpose !== undefined ? ` for ${request.purpose}` : ''} (${refusal || 'no purpose'}): a consumer disputes only values it may read`,
  };
}

/** Why a key does not fit the type's key fields (one value per field, joined by commas), if it does not. */
function keyShapeProblem(key: string, keyFields: readonly string[]): string | undefined {
  if (!key.trim()) return 'name the record: its key is empty';
  if (key.length > MAX_DISPUTE_KEY) return `the key is longer than ${MAX_DISPUTE_KEY} characters`;
  // Control characters would let a key break the lines of a listing or a log.
  if (/\p{Cc}/u.test(key)) return 'the key holds control characters';
  const parts = key.split(',');
  if (parts.length !== keyFields.length || parts.some((part) => !part.trim()))
    return `the key is ${keyFields.join(',')} (${keyFields.length} value${keyFields.length > 1 ? 's' : ''}, comma-separated)`;
  return undefined;
}
