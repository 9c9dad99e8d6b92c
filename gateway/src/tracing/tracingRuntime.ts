import { context, trace, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { tracingPlan, type OtlpProtocol } from '@cdo-hub/contracts';
import { HubTracerProvider } from './apolloSpans';

/** What a started tracing setup tells its process (for the start-up line) and lets it do. */
export interface RunningTracing {
  serviceName: string;
  /** Where spans go; `in-process` for a test's own exporter. */
  tracesUrl: string;
  protocol: OtlpProtocol | 'in-process';
  /** Sends every span ended so far (the process is about to stop). */
  flush(): Promise<void>;
}

let tracer: Tracer | undefined;
let running: RunningTracing | undefined;

/**
 * The gateway's tracer while tracing is on, else undefined: every span hook checks this first and,
 * off, only calls through — no span objects, no context switches, no SDK in memory.
 */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

/** Sends what is buffered; nothing to do when tracing is off. */
export async function flushTracing(): Promise<void> {
  await running?.flush();
}

/**
 * Starts the process's tracing when the OTEL_* variables ask for it (`tracingPlan`): an OTLP/HTTP
 * exporter (protobuf or JSON) behind a batching processor, the resource named `defaultServiceName`
 * unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise, and the async-local context
 * that lets a span started deep in the request path find its parent. It also becomes the global
 * tracer provider, so Apollo Gateway's query-plan span joins the same traces (its other spans are
 * dropped: apolloSpans.ts).
 * Undefined when tracing is off: then nothing below is even loaded. `exporter` replaces the OTLP
 * exporter (tests). Once per process.
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
  defaultServiceName: string,
  options: { exporter?: SpanExporter } = {},
): Promise<RunningTracing | undefined> {
  if (running) return running;
  const plan = tracingPlan(env);
  if (!plan.enabled && !options.exporter) return undefined;
  const [
    { NodeTracerProvider },
    { AsyncLocalStorageContextManager },
    { BatchSpanProcessor },
    resources,
    { ATTR_SERVICE_NAME },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  // Later wins: the SDK's defaults, then our name, then what the environment says (OTEL_SERVICE_NAME,
  // OTEL_RESOURCE_ATTRIBUTES).
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ [ATTR_SERVICE_NAME]: defaultServiceName }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  let exporter = options.exporter;
  if (!exporter && plan.enabled)
    exporter =
      plan.protocol === 'http/json'
        ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: plan.tracesUrl })
        : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: plan.tracesUrl });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter!)] });
  // Registered by hand rather than `provider.register()`: Apollo's tracer is thinned on the way
  // (apolloSpans.ts), and no global propagator is set — our own traceparent goes out signed
  // (datasources/), and no baggage goes anywhere.
  trace.setGlobalTracerProvider(new HubTracerProvider(provider));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  tracer = provider.getTracer('cdo-hub');
  running = {
    serviceName: String(resource.attributes[ATTR_SERVICE_NAME]),
    tracesUrl: plan.enabled && !options.exporter ? plan.tracesUrl : 'in-process',
    protocol: plan.enabled && !options.exporter ? plan.protocol : 'in-process',
    flush: () => provider.forceFlush(),
  };
  return running;
}
