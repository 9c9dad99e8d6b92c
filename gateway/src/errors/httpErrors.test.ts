import { httpErrorResponse, notFoundResponse } from './httpErrors';

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
