/**
 * Whether a hub process traces, and where its spans go, from the standard OpenTelemetry variables
 * (https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/,
 * https://opentelemetry.io/docs/specs/otel/protocol/exporter/). The gateway and every agency
 * decide it the same way, here. Tracing is on only when an OTLP endpoint is named: otherwise the
 * process loads no tracing SDK at all.
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export type TracingPlan =
  | { enabled: false }
  | {
      enabled: true;
      /** Where spans are posted: the traces endpoint as given, or the base endpoint + `/v1/traces`. */
      tracesUrl: string;
      protocol: OtlpProtocol;
    };

type Environment = Readonly<Record<string, string | undefined>>;

const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json'] satisfies OtlpProtocol[];

/** A set, non-blank variable's value. */
function read(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${name} must be an http:// or https:// URL (OTLP over HTTP), not "${value}"`);
  return url.toString();
}

/**
 * The tracing plan of a process started with `env`. Throws, naming the variable, on a setting the
 * process cannot honour (gRPC, another exporter, an endpoint that is no HTTP URL): a process that
 * was asked to trace and silently did not would leave operators looking for spans that never come.
 */
export function tracingPlan(env: Environment): TracingPlan {
  if (read(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return { enabled: false };
  const exporter = read(env, 'OTEL_TRACES_EXPORTER');
  if (exporter === 'none') return { enabled: false };
  if (exporter !== undefined && exporter !== 'otlp')
    throw new Error(`OTEL_TRACES_EXPORTER=${exporter}: the hub exports traces over OTLP only (otlp, or none)`);
  const tracesEndpoint = read(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const baseEndpoint = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (!tracesEndpoint && !baseEndpoint) return { enabled: false };
  // The signal-specific endpoint is used as given; the base one gets the signal's path (spec).
  const tracesUrl = tracesEndpoint
    ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', tracesEndpoint)
    : `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', baseEndpoint!).replace(/\/$/, '')}/v1/traces`;
  const protocolVariable = read(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = read(env, protocolVariable) ?? 'http/protobuf';
  if (!PROTOCOLS.includes(protocol))
    throw new Error(`${protocolVariable}=${protocol}: the hub sends OTLP over HTTP only (http/protobuf or http/json)`);
  return { enabled: true, tracesUrl, protocol: protocol as OtlpProtocol };
}

/** A variable as the configuration reference lists it. */
export interface TracingVariable {
  variable: string;
  default: string;
  meaning: string;
}

/**
 * The OpenTelemetry variables the gateway and the subgraphs honour, for the configuration
 * reference (`hub docs`). The OTLP exporter and the SDK read the ones past the first four themselves.
 */
export const TRACING_VARIABLES: readonly TracingVariable[] = [
  {
    variable: '`OTEL_EXPORTER_OTLP_ENDPOINT`',
    default: '— (tracing off)',
    meaning:
      'base URL of an OTLP/HTTP receiver (a collector): set, the process exports its spans to `<URL>/v1/traces`; with neither endpoint set no tracing SDK is loaded',
  },
  {
    variable: '`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`',
    default: '—',
    meaning: 'the full URL spans are posted to, used as given (wins over `OTEL_EXPORTER_OTLP_ENDPOINT`)',
  },
  {
    variable: '`OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`',
    default: '`http/protobuf`',
    meaning: '`http/protobuf` or `http/json`; `grpc` is refused at start',
  },
  {
    variable: '`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`',
    default: '`cdo-hub-gateway`, `cdo-hub-<agency>`',
    meaning:
      "the resource's `service.name` and further attributes (`key=value,…`); under `hub start` they reach every process, so leave `OTEL_SERVICE_NAME` unset there",
  },
  {
    variable: '`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_EXPORTER_OTLP_COMPRESSION`, `OTEL_EXPORTER_OTLP_TIMEOUT`',
    default: '—, `none`, `10000`',
    meaning:
      "the exporter's request headers (`key=value,…`, e.g. a collector's token), `gzip` compression, deadline in ms",
  },
  {
    variable: '`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`',
    default: '`parentbased_always_on`',
    meaning:
      "which traces are kept (e.g. `parentbased_traceidratio` with `0.1`); agencies follow the gateway's decision, carried in the signed `traceparent`",
  },
  {
    variable: '`OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_MAX_QUEUE_SIZE`',
    default: '`5000`, `2048`',
    meaning: 'how long spans wait to be sent in a batch (ms), and how many may wait before new ones are dropped',
  },
  {
    variable: '`OTEL_TRACES_EXPORTER`, `OTEL_SDK_DISABLED`',
    default: '`otlp`, `false`',
    meaning: '`none`, or `true`: tracing off whatever the endpoint',
  },
];
