import { answerClientError, errorContentType, httpErrorResponse, notFoundResponse } from './httpErrors';

describe('httpErrorResponse', () => {
  it('maps client errors to catalogued codes with their statuses', () => {
    expect(httpErrorResponse(400, 'Unexpected end of JSON input')).toEqual({
      status: 400,
      body: { errors: [{ message: 'Unexpected end of JSON input', extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(httpErrorResponse(413, 'too large').status).toBe(413);
    expect(httpErrorResponse(415, 'x').body.errors[0]!.extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(httpErrorResponse(405, 'x')).toMatchObject({
      status: 405,
      body: { errors: [{ extensions: { code: 'METHOD_NOT_ALLOWED' } }] },
    });
    expect(httpErrorResponse(418, 'x')).toMatchObject({
      status: 400,
      body: { errors: [{ extensions: { code: 'BAD_REQUEST' } }] },
    });
  });

  it('hides the message of unexpected failures', () => {
    expect(httpErrorResponse(undefined, 'ENOENT /srv/secret')).toEqual({
      status: 500,
      body: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
    });
  });

  it('answers unknown routes without their query string', () => {
    expect(notFoundResponse('GET', '/nowhere?token=x').body.errors[0]!.message).toBe('No route GET /nowhere.');
  });
});

describe('errorContentType', () => {
  it("answers in GraphQL over HTTP's media type when the client prefers it, JSON otherwise", () => {
    expect(errorContentType(undefined)).toBe('application/json; charset=utf-8');
    expect(errorContentType('application/graphql-response+json')).toBe(
      'application/graphql-response+json; charset=utf-8',
    );
    expect(errorContentType('application/graphql-response+json, application/json;q=0.9')).toBe(
      'application/graphql-response+json; charset=utf-8',
    );
    expect(errorContentType('application/json, application/graphql-response+json;q=0.5')).toBe(
      'application/json; charset=utf-8',
    );
    expect(errorContentType('text/html')).toBe('application/json; charset=utf-8');
  });
});

describe('answerClientError', () => {
  const socket = () => ({
    destroyed: false,
    writable: true,
    written: '',
    write(data: string) {
      this.written += data;
    },
    destroy() {
      this.destroyed = true;
    },
  });

  it('answers oversized headers with 431 and a coded body, then closes', () => {
    const s = socket();
    answerClientError(Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }), s);
    expect(s.written).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(s.written.split('\r\n\r\n')[1]!)).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: 'HEADERS_TOO_LARGE' } }],
    });
    expect(s.destroyed).toBe(true);
  });

  it('answers bytes that are not HTTP with 400 BAD_REQUEST, and stays quiet on a reset', () => {
    const s = socket();
    answerClientError(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }), s);
    expect(s.written).toContain('"code":"BAD_REQUEST"');
    const reset = socket();
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset);
    expect(reset.written).toBe('');
  });
});
