import { tracingPlan } from './tracingSettings';

it('is off when no OTLP endpoint is named, or when switched off', () => {
  expect(tracingPlan({})).toEqual({ enabled: false });
  expect(tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' })).toEqual({ enabled: false });
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  expect(tracingPlan({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toEqual({ enabled: false });
  expect(tracingPlan({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toEqual({ enabled: false });
});

it('posts to the base endpoint + /v1/traces, or to the traces endpoint as given; protobuf unless told', () => {
  expect(tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({
    enabled: true,
    tracesUrl: 'http://collector:4318/v1/traces',
    protocol: 'http/protobuf',
  });
  expect(tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.city.example/base/' })).toMatchObject({
    tracesUrl: 'https://otel.city.example/base/v1/traces',
  });
  expect(
    tracingPlan({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/ingest',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }),
  ).toEqual({ enabled: true, tracesUrl: 'http://traces:9999/ingest', protocol: 'http/json' });
  expect(
    tracingPlan({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/ingest',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    }),
  ).toMatchObject({ protocol: 'http/json' });
});

it('refuses at start what it cannot honour, naming the variable', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  expect(() => tracingPlan({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(
    'OTEL_EXPORTER_OTLP_PROTOCOL=grpc',
  );
  expect(() => tracingPlan({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow('OTEL_TRACES_EXPORTER=zipkin');
  expect(() => tracingPlan({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow('OTEL_EXPORTER_OTLP_ENDPOINT');
  expect(() => tracingPlan({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' })).toThrow(
    'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  );
});
