import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { codedErrorResponse, errorContentType, installHttpErrorHandlers } from '../errors';
import type { HubGateway } from '../execution';
import type { SubgraphFaults } from '../faults';
import { assessReadiness, probeSubgraph, readinessSummary } from '../health';
import { identify, operatorAccess, type OperatorAccess, type TokenVerifier } from '../identity';
import type { HubMetrics } from '../metrics';
import type { PolicyRuntime } from '../policy';

export interface OperatorRouteDeps {
  config: Pick<GatewayConfig, 'metricsPort' | 'metricsHost' | 'readinessTimeoutMs'>;
  gateway: HubGateway;
  faults: SubgraphFaults;
  metrics: HubMetrics;
  logger: Logger;
  /** Readiness probes are signed like the gateway's own calls. */
  subgraphSigningKey: string;
  /** The cache's backend and state, as `/readyz` shows it to operators. */
  cache: () => { backend: string; state?: 'up' | 'down' };
  /** True once the gateway drains for a restart: readiness fails first. */
  draining: () => boolean;
  /** The consumer directory and token check operators are identified by; absent in `--open` mode (no directory). */
  policies?: PolicyRuntime | undefined;
  verify?: TokenVerifier | undefined;
}

/** Open mode has no consumer directory to know an operator by; it serves everything to everyone, this too. */
const OPEN_MODE: OperatorAccess = { ok: true, operator: 'open mode' };

/**
 * The operators' endpoints: `GET /metrics` (Prometheus) and `GET /readyz`.
 *
 * `/readyz` stays on the gateway port for everyone — `hub start`, load balancers and Kubernetes
 * probe it without credentials — and answers 200 when ready (or degraded) and 503 otherwise, with
 * only `{ status, ready }`. Per-subgraph reachability, circuits, recent failures, the supergraph
 * version and the cache's state tell an outsider which agency is down and how the hub is built:
 * they are added for a caller presenting a `hub-operator` token. A token that is refused does not
 * change the status code (a probe with a stale token must not take the gateway out of rotation);
 * the body says why the detail was withheld.
 *
 * `/metrics` counts requests per consumer: it takes a `hub-operator` token (401/403 otherwise).
 * With `METRICS_PORT` both are served on a listener of their own without credentials, for
 * operators who isolate that port by network instead; the gateway port then has no `/metrics`
 * and its `/readyz` never shows the detail.
 */
export function registerOperatorRoutes(app: FastifyInstance, deps: OperatorRouteDeps): void {
  const assess = async () => {
    const current = deps.gateway.supergraph;
    const probes = await Promise.all(
      current.subgraphs.map(({ name, url }) =>
        probeSubgraph(
          name,
          deps.gateway.routingUrl(name, url),
          deps.config.readinessTimeoutMs,
          deps.subgraphSigningKey,
        ),
      ),
    );
    // Degraded (some agencies down) still answers 200: partial answers are answers. The cache is
    // an optimisation: down, it shows here but the gateway stays ready.
    return { ...assessReadiness(current, probes, (name) => deps.faults.report(name)), cache: deps.cache() };
  };
  const operator = async (request: FastifyRequest, what: string): Promise<OperatorAccess> => {
    if (!deps.policies || !deps.verify) return OPEN_MODE;
    const authorization = request.headers.authorization;
    const purpose = request.headers['x-data-purpose'];
    const presented = authorization?.trim()
      ? await identify(
          { authorization, purpose: typeof purpose === 'string' ? purpose : undefined },
          {
            directory: deps.policies.current().consumers,
            verify: deps.verify,
            requireToken: true,
            purposeRequired: false,
          },
        )
      : undefined;
    return operatorAccess(presented, what);
  };
  const sendMetrics = async (reply: FastifyReply) => {
    const { contentType, text } = await deps.metrics.exposition();
    return reply.header('cache-control', 'no-store').type(contentType).send(text);
  };
  const sendReadiness = async (reply: FastifyReply, detail: boolean, withheld?: string) => {
    if (deps.draining())
      return reply.code(503).header('cache-control', 'no-store').send({ ready: false, status: 'draining' });
    const readiness = await assess();
    const body = detail ? readiness : { ...readinessSummary(readiness), ...(withheld ? { detail: withheld } : {}) };
    return reply
      .code(readiness.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  };

  const separate = deps.config.metricsPort !== undefined;
  app.get('/readyz', async (request, reply) => {
    if (separate) return sendReadiness(reply, false);
    // Without credentials (a load balancer, a probe) nothing is checked: the answer is the summary.
    if (deps.policies && !request.headers.authorization?.trim()) return sendReadiness(reply, false);
    const access = await operator(request, 'the detail of /readyz');
    return access.ok
      ? sendReadiness(reply, true)
      : sendReadiness(reply, false, `withheld: ${access.code}: ${access.message}`);
  });
  if (!separate) {
    app.get('/metrics', async (request, reply) => {
      const access = await operator(request, 'GET /metrics');
      if (access.ok) return sendMetrics(reply);
      const refusal = codedErrorResponse(access.code, access.message);
      if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="cdo-hub"');
      return reply
        .code(refusal.status)
        .header('cache-control', 'no-store')
        .type(errorContentType(request.headers.accept))
        .send(refusal.body);
    });
    return;
  }

  // The separate listener: whoever reaches it is an operator (the network decides).
  const listener = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  installHttpErrorHandlers(listener, deps.logger);
  listener.get('/metrics', async (_, reply) => sendMetrics(reply));
  listener.get('/readyz', async (_, reply) => sendReadiness(reply, true));
  listener.get('/healthz', async () => ({ status: 'ok' }));
  // Up with the gateway (a port that cannot be bound stops the start), down with it.
  app.addHook('onReady', async () => {
    await listener.listen({ host: deps.config.metricsHost, port: deps.config.metricsPort! });
    deps.logger.info(
      { url: `http://${deps.config.metricsHost}:${deps.config.metricsPort}` },
      'operator endpoints (/metrics, /readyz with detail) on their own listener',
    );
  });
  app.addHook('onClose', async () => {
    await listener.close();
  });
}
