import type { Logger } from 'pino';

/** Per-request state every stage of the gateway sees. */
export interface GatewayContext {
  requestId: string;
  logger: Logger;
  /** Set when the request was answered: the supergraph version it ran against. */
  supergraphVersion?: string;
}
