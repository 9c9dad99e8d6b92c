/** A TCP port that was free a moment ago on 127.0.0.1 (the gateway's test helper, shared). */
export { freeTcpPort as freePort } from '@cdo-hub/gateway/testing';
