import { classifySubgraphFailure } from './classifyFailure';

/** What `RemoteGraphQLDataSource.errorFromResponse` throws for an HTTP error status. */
function httpError(status: number, body: unknown): Error {
  return Object.assign(new Error(`${status}`), {
    extensions: { response: { url: 'http://x/graphql', status, statusText: '', body } },
  });
}

/** What make-fetch-happen (minipass-fetch) throws. */
function fetchError(type: string, code?: string): Error {
  return Object.assign(new Error(type), { name: 'FetchError', type, ...(code ? { code } : {}) });
}

describe('classifySubgraphFailure', () => {
  it('says timeout for the request and body deadlines and for an aborted signal', () => {
    expect(classifySubgraphFailure(fetchError('request-timeout'))).toEqual({ reason: 'timeout', tripsCircuit: true });
    expect(classifySubgraphFailure(fetchError('body-timeout'))).toEqual({ reason: 'timeout', tripsCircuit: true });
    expect(classifySubgraphFailure(Object.assign(new Error('x'), { name: 'TimeoutError' })).reason).toBe('timeout');
  });

  it('says unreachable for refused, reset and cut connections and anything unknown', () => {
    expect(classifySubgraphFailure(fetchError('system', 'ECONNREFUSED'))).toEqual({
      reason: 'unreachable',
      tripsCircuit: true,
    });
    expect(classifySubgraphFailure(fetchError('system', 'ECONNRESET')).reason).toBe('unreachable');
    expect(classifySubgraphFailure(new Error('Expected JSON response body')).reason).toBe('unreachable');
    expect(classifySubgraphFailure(undefined).reason).toBe('unreachable');
  });

  it('counts a 5xx against the circuit and a 4xx not, keeping a GraphQL body', () => {
    expect(classifySubgraphFailure(httpError(502, '<html>bad gateway</html>'))).toEqual({
      reason: 'http-502',
      tripsCircuit: true,
    });
    const refused = { errors: [{ message: 'no signature', extensions: { code: 'SUBGRAPH_CALL_REFUSED' } }] };
    expect(classifySubgraphFailure(httpError(401, refused))).toEqual({
      reason: 'http-401',
      tripsCircuit: false,
      graphqlBody: { data: null, errors: refused.errors },
    });
    expect(classifySubgraphFailure(httpError(503, { data: { a: 1 }, errors: [] })).graphqlBody).toEqual({
      data: { a: 1 },
      errors: [],
    });
  });
});
