import type { Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { tracingPlan, type OtlpProtocol } from '@cdo-hub/contracts';

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
 * The subgraph's tracer while tracing is on, else undefined: every span hook checks this first and,
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
 * that lets the SQL statements of a resolver find the call they serve. Undefined when tracing is
 * off: then nothing below is even loaded. `exporter` replaces the OTLP exporter (tests). Once per
 * process. (The gateway starts its own the same way: gateway/src/tracing/tracingRuntime.ts.)
 */
export async function startTracing(
  env: NodeJS.ProcessEnv,
  defaultServiceName: string,
  options: { exporter?: SpanExporter } = {},
): Promise<RunningTracing | undefined> {
  if (running) return running;
  const plan = tracingPlan(env);
  if (!plan.enabled && !options.exporter) return undefined;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, resources, { ATTR_SERVICE_NAME }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
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
  // The trace context comes in signed and is read by callSpans.ts; no global propagator, so no baggage either.
  provider.register({ propagator: null });
  tracer = provider.getTracer('cdo-hub');
  running = {
    serviceName: String(resource.attributes[ATTR_SERVICE_NAME]),
    tracesUrl: plan.enabled && !options.exporter ? plan.tracesUrl : 'in-process',
    protocol: plan.enabled && !options.exporter ? plan.protocol : 'in-process',
    flush: () => provider.forceFlush(),
  };
  return running;
}
