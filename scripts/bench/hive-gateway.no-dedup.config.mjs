// Row (b) with Hive Gateway's one default that shares subgraph calls between requests turned off:
// its HTTP transport merges identical subgraph fetches in flight at the same moment
// (`deduplicateInflightRequests`, on by default for queries), so concurrent requests for the same
// operation share one call per fetch. Used by `scripts/bench/PROFILE.md` to measure what that
// sharing is worth; the bench itself runs Hive Gateway as it ships.
import { gatewayConfig as signing } from './hive-gateway.config.mjs';

export const gatewayConfig = {
  ...signing,
  transportEntries: { '*': { options: { deduplicateInflightRequests: false } } },
};
