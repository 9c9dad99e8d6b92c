import { HUB_OPERATOR_ROLE } from '../consumers';
import type { ErrorCode } from '../errors';
import type { IdentityResult } from './identify';

export type OperatorAccess =
  | { ok: true; operator: string }
  | {
      ok: false;
      code: Extract<ErrorCode, 'UNAUTHENTICATED' | 'FORBIDDEN'> | Extract<IdentityResult, { ok: false }>['code'];
      message: string;
    };

/**
 * Whether a caller may read how the hub runs (`/metrics`, the detail of `/readyz`): only with a
 * token carrying `hub-operator`, a role only the consumer directory's operators hold. `presented` is what
 * identify() made of the caller's token, or undefined when it sent none.
 */
export function operatorAccess(presented: IdentityResult | undefined, what: string): OperatorAccess {
  if (!presented)
    return {
      ok: false,
      code: 'UNAUTHENTICATED',
      message: `${what} takes a bearer token with the role ${HUB_OPERATOR_ROLE}.`,
    };
  if (!presented.ok) return presented;
  const { identity } = presented;
  if (!identity.roles.includes(HUB_OPERATOR_ROLE))
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: `${what} takes the role ${HUB_OPERATOR_ROLE}; the token of ${identity.consumer.id} does not carry it.`,
    };
  return { ok: true, operator: identity.consumer.id };
}
