import type {
  GatewayExecutionResult,
  GatewayExecutor,
  GatewayGraphQLRequestContext,
} from '@apollo/server-gateway-interface';

/**
 * A cursor the agency does not accept — forged, altered, truncated, expired, or issued for another
 * list or row scope — is bad input like a variable of the wrong type: the whole operation is
 * refused (no data, HTTP 400 from the catalogue), not answered with a hole where the list was. A
 * client paging with it learns at once to start again, and a partial answer never hides the
 * refusal. The gateway never opens cursors (the agencies seal them); it only reads the code an
 * agency answered with. Pure.
 */
export function refuseOnInvalidCursor(result: GatewayExecutionResult): GatewayExecutionResult {
  const refusals = result.errors?.filter((error) => error.extensions?.code === 'INVALID_CURSOR') ?? [];
  return refusals.length ? { errors: refusals } : result;
}

/**
 * Wraps the gateway's executor so every answer goes through `refuseOnInvalidCursor`; `onRefused`
 * hears of an answer refused that way (nothing of it reaches the client: the audit counts no
 * records for it).
 */
export function refusingInvalidCursors(
  executor: GatewayExecutor,
  onRefused: (requestContext: GatewayGraphQLRequestContext) => void,
): GatewayExecutor {
  return async (requestContext) => {
    const result = refuseOnInvalidCursor(await executor(requestContext));
    if (result.data === undefined) onRefused(requestContext);
    return result;
  };
}
