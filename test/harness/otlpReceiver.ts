import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// The OTLP messages as the official transformer compiled them (protobufjs): its 0.57 line still
// ships them with their decoders, which the exporters' own later line no longer needs.
import * as otlp from '@opentelemetry/otlp-transformer/build/src/generated/root';

/** One span as a receiver sees it, from protobuf or JSON alike. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

/** One export request as it arrived. */
export interface ReceivedExport {
  contentType: string;
  body: Buffer;
  spans: ReceivedSpan[];
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

interface AnyValue {
  stringValue?: string | null;
  boolValue?: boolean | null;
  intValue?: number | string | { toString(): string } | null;
  doubleValue?: number | null;
  arrayValue?: { values?: AnyValue[] | null } | null;
  kvlistValue?: { values?: KeyValue[] | null } | null;
  bytesValue?: Uint8Array | string | null;
}
interface KeyValue {
  key: string;
  value?: AnyValue | null;
}
interface OtlpSpan {
  traceId: Uint8Array | string;
  spanId: Uint8Array | string;
  parentSpanId?: Uint8Array | string | null;
  name: string;
  kind?: number | null;
  attributes?: KeyValue[] | null;
  events?: { name: string; attributes?: KeyValue[] | null }[] | null;
  status?: { code?: number | null } | null;
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] | null } | null;
    scopeSpans?: { spans?: OtlpSpan[] | null }[] | null;
  }[];
}

function valueOf(value: AnyValue | null | undefined): unknown {
  if (!value) return undefined;
  if (value.stringValue != null) return value.stringValue;
  if (value.boolValue != null) return value.boolValue;
  if (value.intValue != null) return Number(value.intValue.toString());
  if (value.doubleValue != null) return value.doubleValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue) return attributesOf(value.kvlistValue.values);
  if (value.bytesValue != null) return hex(value.bytesValue);
  return undefined;
}

function attributesOf(list: KeyValue[] | null | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, valueOf(entry.value)]));
}

/** Ids are bytes in protobuf and hex strings in OTLP/JSON. */
function hex(id: Uint8Array | string): string {
  return typeof id === 'string' ? id : Buffer.from(id).toString('hex');
}

function spansOf(request: OtlpRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name']);
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => {
        const parent = span.parentSpanId ? hex(span.parentSpanId) : '';
        return {
          service,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: parent ? parent : undefined,
          name: span.name,
          kind: span.kind ?? 0,
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: event.name,
            attributes: attributesOf(event.attributes),
          })),
          statusCode: span.status?.code ?? 0,
        };
      }),
    );
  });
}

const TraceRequest = (otlp as any).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest as {
  decode(bytes: Uint8Array): OtlpRequest;
};

/** The spans of one OTLP/HTTP export body, protobuf or JSON by its content type. */
export function decodeTraceExport(contentType: string, body: Buffer): ReceivedSpan[] {
  if (contentType.startsWith('application/x-protobuf')) return spansOf(TraceRequest.decode(body));
  if (contentType.startsWith('application/json')) return spansOf(JSON.parse(body.toString('utf8')) as OtlpRequest);
  throw new Error(`not an OTLP/HTTP content type: ${contentType}`);
}

function bodyOf(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * A real OTLP/HTTP trace receiver on a free port, as a collector would run one: it accepts
 * `POST /v1/traces` in protobuf or JSON, uncompressed, decodes every export and keeps it. What it
 * cannot decode fails the export (400) and is kept in `refused`, so a test sees it.
 */
export class OtlpReceiver {
  readonly exports: ReceivedExport[] = [];
  readonly refused: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (request, response) => {
      void bodyOf(request).then((body) => {
        const contentType = request.headers['content-type'] ?? '';
        try {
          if (request.method !== 'POST' || request.url !== '/v1/traces')
            throw new Error(`${request.method} ${request.url}`);
          if (request.headers['content-encoding'])
            throw new Error(`compressed: ${request.headers['content-encoding']}`);
          receiver.exports.push({ contentType, body, spans: decodeTraceExport(contentType, body) });
          response.writeHead(200, { 'content-type': contentType });
          response.end(contentType.startsWith('application/json') ? '{}' : undefined);
        } catch (error) {
          receiver.refused.push((error as Error).message);
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  /** The base endpoint (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans arrive at `<url>/v1/traces`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get spans(): ReceivedSpan[] {
    return this.exports.flatMap((received) => received.spans);
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
