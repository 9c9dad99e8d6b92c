// The limit settings' shapes and defaults: declared beside the configuration that fills them, so the
// configuration imports nothing from the stages that enforce them.

/** Bounds on the shape of one operation, checked before it is validated or planned. */
export interface OperationLimits {
  /** Nesting of fields: `{ a { b } }` is 2. */
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  /** Fields in the operation with every fragment spread counted where it is used. */
  maxFields: number;
  /** Nesting below `__schema` / `__type`, themselves counted: the standard introspection query is 15. */
  maxIntrospectionDepth: number;
  /** The largest page a list argument (`first`, `last`) may ask for, as a literal or a variable. */
  maxListSize: number;
}

/** Bounds on one HTTP request to `/graphql`, checked before anything is parsed as GraphQL. */
export interface RequestLimits {
  /** Operations in one batched POST (a JSON array). */
  maxBatch: number;
  /** The JSON of one operation's variables, in bytes. */
  maxVariablesBytes: number;
}

/**
 * How long a bearer token may live. A stolen token is good until it expires, so the hub bounds
 * the window whatever the issuer (the hub's own `hub token`, an identity provider) put in `exp`:
 * `TOKEN_MAX_TTL`, 24 hours unless configured.
 */
export const DEFAULT_TOKEN_MAX_TTL_SECONDS = 24 * 3600;
