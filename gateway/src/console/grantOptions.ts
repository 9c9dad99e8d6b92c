import { isObjectType } from 'graphql';
import type { GrantRequest } from '../grants';
import { masksFitting } from '../masking';
import { SCOPE_DIMENSIONS, type PolicySet } from '../policy';

/** One requested field as the approval form shows it: its type, how its agency classes it, the masks that fit. */
export interface FieldChoice {
  coordinate: string;
  /** The field's GraphQL type, e.g. `String!`; absent for a wildcard `Type.*`. */
  type?: string;
  sharingClass?: string;
  level?: string;
  /** Masks that fit the type (`round(n)`: a step to choose); empty for a wildcard, which is masked field by field. */
  masks: string[];
}

export interface ApprovalChoices {
  requestId: string;
  fields: FieldChoice[];
  /** The row-scope dimensions the subgraphs apply (e.g. `districtCode`). */
  scopeDimensions: readonly string[];
}

/**
 * What a CDO may choose when approving a request: per field the masks its type allows (the same
 * rule the policy compiler applies to a grant), and the scope dimensions. Read from the policies
 * in force; the request's own fields only, so it says nothing of fields the request does not name.
 */
export function approvalChoices(policySet: PolicySet, request: GrantRequest): ApprovalChoices {
  const fields = request.fields.map((coordinate): FieldChoice => {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = policySet.schema.getType(typeName);
    const field = fieldName !== '*' && type && isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) return { coordinate, masks: [] };
    const classification = policySet.classify(coordinate, request.agency);
    return {
      coordinate,
      type: String(field.type),
      sharingClass: classification.sharingClass,
      level: classification.level,
      masks: masksFitting(field.type),
    };
  });
  return { requestId: request.id, fields, scopeDimensions: SCOPE_DIMENSIONS };
}
