import { shapeError } from './shapeErrors';

describe('shapeError', () => {
  const options = { production: false, requestId: 'req-1' };

  it('keeps catalogued codes and names the agency a subgraph error came from', () => {
    const shaped = shapeError({ message: 'bad code', extensions: { code: 'INVALID_IDENTIFIER', serviceName: 'education', identifier: 'SCHOOL_CODE' } }, options);
    expect(shaped).toEqual({ message: 'bad code', extensions: { code: 'INVALID_IDENTIFIER', agency: 'education', identifier: 'SCHOOL_CODE' } });
  });

  it('turns uncatalogued codes into INTERNAL_SERVER_ERROR with the request id', () => {
    const shaped = shapeError({ message: 'boom at /srv/db.sqlite', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'science' } }, options);
    expect(shaped.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', originalCode: 'DOWNSTREAM_SERVICE_ERROR', requestId: 'req-1', agency: 'science' });
    expect(shaped.message).toBe('boom at /srv/db.sqlite');
  });

  it('hides the message and internals of unexpected errors in production', () => {
    const shaped = shapeError({ message: 'boom at /srv/db.sqlite', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] } }, { ...options, production: true });
    expect(shaped.message).not.toContain('/srv');
    expect(shaped.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' });
  });

  it('treats an error without extensions as unexpected', () => {
    expect(shapeError({ message: 'x' }, options).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it("codes Apollo Server's own uncoded refusals of a 4xx request as BAD_REQUEST, keeping their message", () => {
    const shaped = shapeError({ message: 'provided sha does not match query', extensions: { http: { status: 400 } } }, { ...options, clientError: true });
    expect(shaped).toEqual({ message: 'provided sha does not match query', extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
    // As Apollo Server formats it: coded INTERNAL_SERVER_ERROR for want of a code.
    expect(shapeError({ message: 'Unsupported persisted query version', extensions: { code: 'INTERNAL_SERVER_ERROR' } }, { ...options, clientError: true }).extensions).toEqual({ code: 'BAD_REQUEST' });
    // An uncatalogued code stays unexpected, 4xx or not.
    expect(shapeError({ message: 'x', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }, { ...options, clientError: true }).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
