import { answerClientError, httpErrorResponse, notFoundResponse } from './httpErrors';

describe('httpErrorResponse', () => {
  it('maps client errors to catalogued codes with their statuses', () => {
    expect(httpErrorResponse(400, 'Unexpected end of JSON input')).toEqual({ status: 400, body: { errors: [{ message: 'Unexpected end of JSON input', extensions: { code: 'BAD_REQUEST' } }] } });
    expect(httpErrorResponse(413, 'too large').status).toBe(413);
    expect(httpErrorResponse(415, 'x').body.errors[0]!.extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('hides the message of unexpected failures', () => {
    expect(httpErrorResponse(undefined, 'ENOENT /srv/secret')).toEqual({ status: 500, body: { errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] } });
  });

  it('answers unknown routes without their query string', () => {
    expect(notFoundResponse('GET', '/nowhere?token=x').body.errors[0]!.message).toBe('No route GET /nowhere.');
  });
});

describe('answerClientError', () => {
  const socket = () => {
    const written: string[] = [];
    return { written, destroyed: false, writable: true, write: (data: string) => written.push(data), destroy: jest.fn() };
  };

  it('answers a request the HTTP parser refused with a catalogued error, then closes', () => {
    const refused = socket();
    answerClientError(Object.assign(new Error('Header overflow'), { code: 'HPE_HEADER_OVERFLOW' }), refused);
    const [head, body] = refused.written[0]!.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toEqual({ errors: [{ message: 'The request headers are larger than the hub accepts.', extensions: { code: 'BAD_REQUEST' } }] });
    expect(refused.destroy).toHaveBeenCalled();
  });

  it('writes nothing to a connection the client already reset', () => {
    const reset = socket();
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), reset);
    expect(reset.written).toEqual([]);
  });
});
