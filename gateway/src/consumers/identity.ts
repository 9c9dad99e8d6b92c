import type { Consumer } from './consumerDirectory';

/** Who is asking, and for what. */
export interface Identity {
  consumer: Consumer;
  purpose: string | undefined;
  /** The token's roles, each held by the consumer per the consumer directory (a token claiming another is refused). */
  roles: readonly string[];
  /** True when no token was sent (the public consumer). */
  anonymous: boolean;
  /** The purpose came from the token's `purpose` claim, which binds: nothing in the request may name another. */
  purposeBound?: boolean;
}
