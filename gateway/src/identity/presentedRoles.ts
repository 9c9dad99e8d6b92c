import type { Consumer } from '../consumers';

export interface RoleRefusal {
  code: 'ROLE_NOT_HELD';
  message: string;
}

/**
 * The one decision on roles presented in a token: each must be among the roles the consumer directory
 * lets the token's consumer hold (`roles:` of its entry, themselves bound to agencies when the
 * directory loads). A token claiming any other role is refused as a whole, wherever it is
 * presented (GraphQL, the admin API, operator endpoints, `hub token`, the playground's development
 * tokens): a claim the directory does not back is a forged or mistaken token, not a lesser one.
 */
export function refuseRolesNotHeld(
  consumer: Pick<Consumer, 'id' | 'roles'>,
  presented: readonly string[],
): RoleRefusal | undefined {
  const held = consumer.roles ?? [];
  const notHeld = [...new Set(presented.filter((role) => !held.includes(role)))];
  if (!notHeld.length) return undefined;
  return {
    code: 'ROLE_NOT_HELD',
    message: `${consumer.id} does not hold ${notHeld.length === 1 ? 'the role' : 'the roles'} ${notHeld.join(', ')} (roles it may hold, per the consumer directory: ${held.join(', ') || 'none'}).`,
  };
}
