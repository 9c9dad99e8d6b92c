/**
 * The attributes the hub's spans carry. Only what describes the request's shape and fate —
 * agencies, coordinates, counts, codes, operation names and hashes, routes — never a variable, a
 * value of the data, a token, a header's content or a row key: traces leave the hub for a
 * collector that no sharing policy governs. `tracing.test.ts` (test/e2e) scans real exports for it.
 */
export const HUB_ATTRIBUTES = {
  agency: 'cdo_hub.agency',
  identityOutcome: 'cdo_hub.identity.outcome',
  viewCached: 'cdo_hub.view.cached',
  viewUnrestricted: 'cdo_hub.view.unrestricted',
  fieldsAllowed: 'cdo_hub.view.fields_allowed',
  fieldsMasked: 'cdo_hub.view.fields_masked',
  fieldsDenied: 'cdo_hub.view.fields_denied',
  deniedCoordinates: 'cdo_hub.view.denied_coordinates',
  operationHash: 'cdo_hub.operation.hash',
  policyVersion: 'cdo_hub.policy.version',
  fetchCacheLayer: 'cdo_hub.fetch_cache.layer',
  fetchCacheResult: 'cdo_hub.fetch_cache.result',
  sharedInFlight: 'cdo_hub.shared_in_flight',
  withheld: 'cdo_hub.withheld',
  masked: 'cdo_hub.masked',
  records: 'cdo_hub.records',
  responseCache: 'cdo_hub.response_cache',
  errorReason: 'cdo_hub.error.reason',
} as const;

/** The span names the gateway writes (Apollo Gateway adds `gateway.plan`, `gateway.execute`, `gateway.fetch`…). */
export const HUB_SPANS = {
  identity: 'hub.identity',
  operationView: 'hub.operation_view',
  subgraphFetch: 'hub.subgraph_fetch',
  responseShaping: 'hub.response_shaping',
  auditWrite: 'hub.audit_write',
} as const;

/** Past this many, denied coordinates are counted, not listed. */
export const MAX_LISTED_COORDINATES = 32;
