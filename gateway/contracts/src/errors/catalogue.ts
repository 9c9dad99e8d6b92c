/**
 * The one catalogue of error codes the hub returns in `errors[].extensions.code`. Every layer —
 * gateway, subgraphs, CLI — takes its codes from here, and the README's table is generated from
 * it (`npm run hub -- docs`), so a code cannot exist without being documented.
 *
 * `httpStatus` is the status of a response whose outcome is this error alone (the request was
 * refused). Errors raised while resolving individual fields travel in a 200 response beside the
 * data that could be served, as GraphQL over HTTP prescribes.
 */
export interface ErrorCodeEntry {
  httpStatus: number;
  description: string;
}

export const ERROR_CATALOGUE = {
  // Request-level errors Apollo Server raises itself; listed so every code a client sees is here.
  GRAPHQL_PARSE_FAILED: { httpStatus: 400, description: 'The operation text is not valid GraphQL syntax.' },
  GRAPHQL_VALIDATION_FAILED: {
    httpStatus: 400,
    description: 'The operation does not validate against the schema (unknown field, wrong argument type, ...).',
  },
  BAD_USER_INPUT: { httpStatus: 400, description: 'A variable or argument value is invalid for its type.' },
  BAD_REQUEST: {
    httpStatus: 400,
    description: 'The HTTP request is not a GraphQL request the hub can read (method, body, malformed JSON).',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    httpStatus: 415,
    description: 'The request body has a content type the hub does not read; send `application/json`.',
  },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, description: 'The request body is larger than the hub accepts.' },
  METHOD_NOT_ALLOWED: { httpStatus: 405, description: 'GET carries queries only; send mutations with POST.' },
  NOT_ACCEPTABLE: {
    httpStatus: 406,
    description:
      'The `Accept` header names no media type the hub answers with (`application/graphql-response+json`, `application/json`, or `text/csv` for an answer that is one table).',
  },
  HEADERS_TOO_LARGE: {
    httpStatus: 431,
    description: "The request headers are larger than the server reads (Node's limit, 16 KiB by default).",
  },
  REQUEST_TIMEOUT: { httpStatus: 408, description: 'The request did not finish arriving in time.' },
  NOT_FOUND: { httpStatus: 404, description: 'No such route on this server (GraphQL is served at `/graphql`).' },
  RESERVED_ALIAS: {
    httpStatus: 400,
    description:
      "The operation uses an alias of the form `hub…__…`, which the gateway reserves for the fields it adds to read the agencies' answers (count probes, concrete types); `extensions.alias` names it.",
  },
  OPERATION_RESOLUTION_FAILURE: {
    httpStatus: 400,
    description: 'The document has several operations and `operationName` does not pick one of them.',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    httpStatus: 200,
    description:
      'The persisted-query hash is not among the texts this consumer registered (the public: this client address); resend the full text.',
  },
  PERSISTED_QUERY_NOT_SUPPORTED: { httpStatus: 200, description: 'Persisted queries are disabled on this server.' },

  // Argument checks done by the agencies' subgraphs.
  INVALID_IDENTIFIER: {
    httpStatus: 200,
    description:
      'An identifier argument (USCC, school code, project code, district code) is malformed or fails its check character; `extensions.identifier` names its kind.',
  },
  INVALID_CURSOR: {
    httpStatus: 400,
    description:
      'An `after` cursor is not one this list issued for this row scope (forged, altered, truncated, or from another list or scope), or it has expired (`extensions.reason`: `expired`); the operation is refused: page again from the start.',
  },
  PAGE_SIZE_OUT_OF_RANGE: {
    httpStatus: 200,
    description: '`first` is negative or above the list maximum given in `extensions.maximum`.',
  },

  // Identity: who is asking, and for what.
  UNAUTHENTICATED: {
    httpStatus: 401,
    description: 'The hub is configured to require a bearer token and the request has none.',
  },
  INVALID_TOKEN: {
    httpStatus: 401,
    description:
      'The bearer token is malformed, expired, signed with a key or algorithm the hub does not accept, or for another issuer or audience.',
  },
  TOKEN_LIFETIME_TOO_LONG: {
    httpStatus: 401,
    description:
      'The bearer token lives longer than the hub accepts (`TOKEN_MAX_TTL`, default 24 h): `exp` − `iat` (or `exp` − now) exceeds it, or the token has no `exp` at all.',
  },
  SUBJECT_NOT_A_CONSUMER: {
    httpStatus: 403,
    description:
      "The token is a data subject's (a `subject` claim: a person reading their own access log at `/transparency`), not a consumer department's: it reads no agency data through `/graphql`.",
  },
  SUBJECT_IDENTITY_REQUIRED: {
    httpStatus: 403,
    description:
      'The transparency API (`/transparency/api/reads`) answers a data subject about themselves only: the token must carry a `subject` claim — the resident ID number or USCC the identity provider vouched for (`hub token --subject ID` in development, which checks the check character).',
  },
  UNKNOWN_AGENCY: {
    httpStatus: 400,
    description: "The agency named (e.g. `hub audit subject --agency`) is not one of the hub's agencies.",
  },
  UNKNOWN_CONSUMER: {
    httpStatus: 403,
    description: 'The token names a consumer that is not in the consumer directory.',
  },
  ROLE_NOT_HELD: {
    httpStatus: 403,
    description:
      "The token claims a role its consumer does not hold in the consumer directory (`cdo:<agency>` only for that agency's own consumer or its CDO identities, `hub-operator` only for operators); the token is refused wherever it is presented.",
  },
  PURPOSE_MISMATCH: {
    httpStatus: 403,
    description:
      "The `x-data-purpose` header (or a grant request's purpose) names another purpose than the token's `purpose` claim, which binds.",
  },
  PURPOSE_REQUIRED: {
    httpStatus: 400,
    description:
      'The request states no purpose (`x-data-purpose` header or `purpose` claim); every department must state one.',
  },
  PURPOSE_NOT_REGISTERED: {
    httpStatus: 403,
    description: 'The stated purpose is not one the consumer is registered for.',
  },

  // Sharing policies: a field the consumer may not read comes back null with one of these,
  // grouped per field coordinate with `extensions.agency`, `coordinate` and `paths`.
  FIELD_NOT_SHARED: {
    httpStatus: 200,
    description:
      'The owning agency classes the field NOT_SHARED (or has not classed it: secure default), or it is not open data and the request has no token.',
  },
  GRANT_REQUIRED: {
    httpStatus: 200,
    description: 'The field is CONDITIONAL and the consumer holds no grant for it; apply to the owning agency.',
  },
  GRANT_EXPIRED: { httpStatus: 200, description: "The consumer's grant for this field and purpose has expired." },
  GRANT_REVOKED: {
    httpStatus: 200,
    description:
      "The consumer held a grant for this field and purpose, and the owning agency's CDO revoked it (`extensions.grant` names it); apply again if the duty still needs the data.",
  },
  PURPOSE_NOT_GRANTED: {
    httpStatus: 200,
    description: 'The consumer holds a grant for the field, but not for the purpose stated in this request.',
  },
  CASE_REQUIRED: {
    httpStatus: 200,
    description:
      "The consumer's grant for the field releases it only for a named case, and the request names none: send the case reference in `x-case-id` (`extensions.grant` names the grant).",
  },
  CASE_INVALID: {
    httpStatus: 200,
    description:
      "The request's `x-case-id` is not a case reference the consumer's grant accepts: not in the agency's format (the message names it), or not 1–64 visible ASCII characters. The fields under that grant are withheld.",
  },
  ARGUMENT_NOT_SHARED: {
    httpStatus: 200,
    description:
      'An argument compares against or orders by a value the consumer may not read in clear (`extensions.coordinate` is `Type.field(argument)`, with the agency and legal basis): the field it was given to is withheld with everything below it. An argument left to its schema default counts too, unless the policy says that default compares nothing (`defaultCompares: false`).',
  },
  SMALL_COUNT_WITHHELD: {
    httpStatus: 200,
    description:
      "A count, or a list's `totalCount`, is below the minimum cell size its agency set (`extensions.minCount`): the count, or the whole list, is withheld so that nobody is singled out. 0 is shown; the agency itself sees every count.",
  },

  OUT_OF_SCOPE: {
    httpStatus: 200,
    description:
      'The field was granted with a row scope (e.g. one district) and these rows lie outside it; the owning agency returned null. Grouped per coordinate with every path.',
  },
  OPERATION_DENIED: {
    httpStatus: 403,
    description:
      'The gateway runs with `onDenied: reject` and the operation reads fields the consumer may not read; `extensions.denied` lists each coordinate with its code and agency.',
  },
  OPERATION_TOO_DEEP: {
    httpStatus: 400,
    description:
      'Fields are nested deeper than the hub accepts (`LIMIT_DEPTH`, default 15); `extensions.limit` and `extensions.actual` say by how much.',
  },
  TOO_MANY_ALIASES: {
    httpStatus: 400,
    description: 'The operation uses more aliases than the hub accepts (`LIMIT_ALIASES`, default 30).',
  },
  TOO_MANY_ROOT_FIELDS: {
    httpStatus: 400,
    description: 'The operation asks more root fields than the hub accepts (`LIMIT_ROOT_FIELDS`, default 20).',
  },
  TOO_MANY_FIELDS: {
    httpStatus: 400,
    description:
      'The operation selects more fields than the hub accepts, fragments counted at every use (`LIMIT_FIELDS`, default 2000).',
  },
  LIST_TOO_LONG: {
    httpStatus: 400,
    description: 'A list argument (`first`) asks for more items than the hub accepts (`LIMIT_LIST_SIZE`, default 100).',
  },
  INTROSPECTION_TOO_DEEP: {
    httpStatus: 400,
    description:
      'An introspection query nests deeper than the hub accepts (`LIMIT_INTROSPECTION_DEPTH`, default 15, enough for every client introspection query).',
  },
  BATCH_TOO_LARGE: {
    httpStatus: 400,
    description: 'A batched HTTP request holds more operations than the hub accepts (`LIMIT_BATCH`, default 10).',
  },
  VARIABLES_TOO_LARGE: {
    httpStatus: 400,
    description:
      'The variables of an operation are larger than the hub accepts (`LIMIT_VARIABLES_BYTES`, default 64 KiB of JSON).',
  },
  PERSISTED_OPERATION_REQUIRED: {
    httpStatus: 400,
    description:
      'The hub runs with an allow-list of persisted operations (`PERSISTED_OPERATIONS=only`): send a registered operation by its hash, not its text.',
  },
  PERSISTED_OPERATION_NOT_FOUND: {
    httpStatus: 400,
    description: 'The hash names no operation on the allow-list (`schema/operations/`).',
  },
  RATE_LIMITED: {
    httpStatus: 429,
    description:
      'The consumer sent more requests than its limit in the sliding window (`RATE_LIMIT_PER_MINUTE`); `Retry-After` and `extensions.retryAfterSeconds` say when to try again.',
  },
  INTROSPECTION_NOT_ALONE: {
    httpStatus: 400,
    description:
      'An operation mixes introspection (`__schema`, `__type`) with data fields; send introspection on its own so it is answered from your own view of the schema.',
  },

  // The grant workflow (admin API `/admin/*` and `hub grant`).
  FORBIDDEN: {
    httpStatus: 403,
    description:
      "The caller may not do this: deciding on grants and answering disputes take the role `cdo:<agency>` of the owning agency, purging the cache `hub-operator` or that role, reading `/metrics` `hub-operator`, and an agency's mutations only its own consumers may call.",
  },
  SEPARATION_OF_DUTIES: {
    httpStatus: 403,
    description:
      "Nobody approves, refuses or revokes a grant request they filed or that is for themselves: the acting identity (token subject, or the name given as `by`) is the request's consumer or its filer.",
  },
  GRANT_REQUEST_INVALID: {
    httpStatus: 400,
    description:
      'A grant request or decision is malformed or names fields, purposes, scopes or dates the policies do not allow; the message says which and why.',
  },
  GRANT_NOT_FOUND: { httpStatus: 404, description: 'No grant request or grant with this id in the grant store.' },
  ADMIN_REQUEST_INVALID: {
    httpStatus: 400,
    description:
      'An admin request other than the grant workflow (cache invalidation) is malformed or names an unknown type.',
  },
  GRANT_CONFLICT: {
    httpStatus: 409,
    description:
      'The request was already decided, or the grant already revoked (or it lives in a policy file, where only its CDO edits it).',
  },

  // Disputes (疑义校核: admin API `/admin/disputes` and `hub dispute`).
  DISPUTE_INVALID: {
    httpStatus: 400,
    description:
      'A dispute or its answer is malformed: an unknown type or field, a type with no key to name the record by, a key field, a key of the wrong shape, an empty claim or reason, evidence over the size limit, an unknown outcome; the message says which.',
  },
  DISPUTE_FIELD_NOT_READABLE: {
    httpStatus: 403,
    description:
      'The consumer may not read the field it disputes (for the purpose it states, or for any of its purposes): a consumer disputes only values the policies release to it.',
  },
  DISPUTE_NOT_FOUND: {
    httpStatus: 404,
    description: 'No dispute with this id (`DSP-YYYY-NNNN`) in the dispute store.',
  },
  DISPUTE_CLOSED: {
    httpStatus: 409,
    description: 'The dispute was already answered (confirmed, corrected or rejected); an answer is given once.',
  },

  AUDIT_UNAVAILABLE: {
    httpStatus: 503,
    description:
      'The audit trail could not record this request in time, so its agency data is not served (fail closed); retry later.',
  },

  // Federation and availability.
  SUBGRAPH_UNAVAILABLE: {
    httpStatus: 200,
    description:
      "An agency's subgraph could not be reached, timed out, failed, or its circuit is open after repeated failures; `extensions.agency` names it and `extensions.reason` says which. Data from the other agencies is still returned.",
  },
  DOWNSTREAM_SERVICE_ERROR: {
    httpStatus: 200,
    description:
      "An agency's subgraph failed with an error that has no catalogued code (a bug, a database it cannot read): what it failed to resolve is null, `extensions.agency` names the agency and `extensions.requestId` finds the failure in the gateway's and the agency's logs. In production the agency's message is replaced, as it may hold data values. Data from elsewhere is still returned. Apollo's code for the same case (its `serviceName` is `agency` here).",
  },
  SUBGRAPH_CALL_REFUSED: {
    httpStatus: 401,
    description:
      "Returned by a subgraph, not the gateway: the call carries no valid, fresh, unreplayed gateway signature; `extensions.reason` says which (`missing`, `malformed`, `bad-signature`, `stale`, `replayed`). Agencies' data is read only through the gateway. With reason `replay-check-unavailable` (HTTP 503) the shared nonce store did not answer; retry.",
  },
  SHUTTING_DOWN: {
    httpStatus: 503,
    description:
      'The gateway is draining for a restart and takes no new requests; retry (another instance, or this one once restarted).',
  },

  INTERNAL_SERVER_ERROR: {
    httpStatus: 500,
    description:
      'An unexpected error. In production the message is hidden; `extensions.requestId` correlates it with the logs.',
  },
} as const satisfies Record<string, ErrorCodeEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CATALOGUE, code);
}
