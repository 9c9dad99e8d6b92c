import { loadGatewayConfig } from './config';

describe('token lifetime and operator listener settings', () => {
  it('bounds tokens at 24 h unless TOKEN_MAX_TTL says otherwise, and refuses a malformed one', () => {
    expect(loadGatewayConfig({}).tokenMaxTtlSeconds).toBe(86_400);
    expect(loadGatewayConfig({ TOKEN_MAX_TTL: '8h' }).tokenMaxTtlSeconds).toBe(28_800);
    expect(() => loadGatewayConfig({ TOKEN_MAX_TTL: 'forever' })).toThrow(
      /TOKEN_MAX_TTL: "forever" is not a positive duration/,
    );
    expect(() => loadGatewayConfig({ TOKEN_MAX_TTL: '0s' })).toThrow(/TOKEN_MAX_TTL/);
  });

  it('serves the operator endpoints on the gateway port unless METRICS_PORT names another (on loopback unless METRICS_HOST, whatever GATEWAY_HOST is)', () => {
    expect(loadGatewayConfig({}).metricsPort).toBeUndefined();
    expect(loadGatewayConfig({ METRICS_PORT: '9464', GATEWAY_HOST: '0.0.0.0' })).toMatchObject({
      metricsPort: 9464,
      metricsHost: '127.0.0.1',
    });
    expect(loadGatewayConfig({ METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' })).toMatchObject({
      metricsHost: '10.0.0.5',
    });
    expect(() => loadGatewayConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });
});
