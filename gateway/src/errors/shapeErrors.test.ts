import { shapeError } from './shapeErrors';

describe('shapeError', () => {
  const options = { production: false, requestId: 'req-1' };

  it('keeps catalogued codes and names the agency a subgraph error came from', () => {
    const shaped = shapeError(
      {
        message: 'bad code',
        extensions: { code: 'INVALID_IDENTIFIER', serviceName: 'education', identifier: 'SCHOOL_CODE' },
      },
      options,
    );
    expect(shaped).toEqual({
      message: 'bad code',
      extensions: { code: 'INVALID_IDENTIFIER', agency: 'education', identifier: 'SCHOOL_CODE' },
    });
  });

  it('turns uncatalogued codes into INTERNAL_SERVER_ERROR with the request id', () => {
    const shaped = shapeError(
      { message: 'boom at /srv/db.sqlite', extensions: { code: 'SOMETHING_ODD', detail: 'x' } },
      options,
    );
    expect(shaped.extensions).toEqual({
      code: 'INTERNAL_SERVER_ERROR',
      originalCode: 'SOMETHING_ODD',
      detail: 'x',
      requestId: 'req-1',
    });
    expect(shaped.message).toBe('boom at /srv/db.sqlite');
  });

  describe('an error from a subgraph with no catalogued code', () => {
    // As Apollo's gateway hands them over: an uncoded subgraph error labelled DOWNSTREAM_SERVICE_ERROR,
    // a subgraph's own INTERNAL_SERVER_ERROR (masked by the agency or not), a code of the agency's own.
    const fromScience = [
      {
        message: 'no such table: high_tech_enterprises',
        path: ['districts', 'nodes', 0, 'highTechEnterpriseCount'],
        extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'science' },
      },
      {
        message: 'no such table: high_tech_enterprises',
        path: ['districts'],
        extensions: {
          code: 'INTERNAL_SERVER_ERROR',
          serviceName: 'science',
          stacktrace: ['SqliteError: no such table'],
        },
      },
      {
        message: 'Unexpected error in the subgraph.',
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'science' },
      },
      {
        message: 'database busy at 110108',
        extensions: { code: 'SQLITE_BUSY', serviceName: 'science', row: '110108' },
      },
      { message: 'uncoded', extensions: { serviceName: 'science' } },
    ];

    it('becomes DOWNSTREAM_SERVICE_ERROR naming the agency, with the request id, its path kept', () => {
      for (const error of fromScience) {
        const shaped = shapeError(error, options);
        expect(shaped.extensions).toMatchObject({
          code: 'DOWNSTREAM_SERVICE_ERROR',
          agency: 'science',
          requestId: 'req-1',
        });
        expect(shaped.extensions).not.toHaveProperty('serviceName');
        expect(shaped.path).toEqual(error.path);
      }
    });

    it('keeps the message and what the agency sent outside production, with its own code as originalCode', () => {
      expect(shapeError(fromScience[1]!, options)).toEqual({
        message: 'no such table: high_tech_enterprises',
        path: ['districts'],
        extensions: {
          code: 'DOWNSTREAM_SERVICE_ERROR',
          originalCode: 'INTERNAL_SERVER_ERROR',
          agency: 'science',
          requestId: 'req-1',
          stacktrace: ['SqliteError: no such table'],
        },
      });
      // Apollo's own label is not an original code.
      expect(shapeError(fromScience[0]!, options).extensions).toEqual({
        code: 'DOWNSTREAM_SERVICE_ERROR',
        agency: 'science',
        requestId: 'req-1',
      });
    });

    it('hides the message and everything the agency added in production, whatever the agency masked', () => {
      for (const error of fromScience) {
        const shaped = shapeError(error, { ...options, production: true });
        expect(shaped.message).toBe(
          "The science agency's subgraph failed here; quote the request id when reporting it.",
        );
        expect(shaped.extensions).toEqual({ code: 'DOWNSTREAM_SERVICE_ERROR', agency: 'science', requestId: 'req-1' });
      }
    });

    it("stays a downstream error in a request refused as the client's mistake", () => {
      expect(shapeError(fromScience[1]!, { ...options, clientError: true }).extensions?.code).toBe(
        'DOWNSTREAM_SERVICE_ERROR',
      );
    });
  });

  it('passes catalogued codes from a subgraph through, message and details included, in production too', () => {
    const cursor = {
      message: 'This is not a cursor this list issued for this row scope.',
      path: ['schools'],
      extensions: { code: 'INVALID_CURSOR', serviceName: 'education', reason: 'expired' },
    };
    expect(shapeError(cursor, { ...options, production: true })).toEqual({
      message: cursor.message,
      path: ['schools'],
      extensions: { code: 'INVALID_CURSOR', agency: 'education', reason: 'expired' },
    });
    const scope = {
      message: 'School.students is released under this grant only for rows with districtCode 110108.',
      extensions: { code: 'OUT_OF_SCOPE', serviceName: 'education', coordinate: 'School.students' },
    };
    expect(shapeError(scope, { ...options, production: true }).extensions).toEqual({
      code: 'OUT_OF_SCOPE',
      agency: 'education',
      coordinate: 'School.students',
    });
  });

  it('never trusts a DOWNSTREAM_SERVICE_ERROR that names no agency: it is unexpected', () => {
    const shaped = shapeError(
      { message: 'SELECT * FROM students', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } },
      { ...options, production: true },
    );
    expect(shaped).toEqual({
      message: 'Unexpected error; quote the request id when reporting it.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' },
    });
  });

  it('hides the message and internals of unexpected errors in production', () => {
    const shaped = shapeError(
      { message: 'boom at /srv/db.sqlite', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] } },
      { ...options, production: true },
    );
    expect(shaped.message).not.toContain('/srv');
    expect(shaped.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-1' });
  });

  it('treats an error without extensions as unexpected', () => {
    expect(shapeError({ message: 'x' }, options).extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it("codes Apollo Server's own uncoded refusals of a 4xx request as BAD_REQUEST, keeping their message", () => {
    const shaped = shapeError(
      { message: 'provided sha does not match query', extensions: { http: { status: 400 } } },
      { ...options, clientError: true },
    );
    expect(shaped).toEqual({
      message: 'provided sha does not match query',
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
    // As Apollo Server formats it: coded INTERNAL_SERVER_ERROR for want of a code.
    expect(
      shapeError(
        { message: 'Unsupported persisted query version', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        { ...options, clientError: true },
      ).extensions,
    ).toEqual({ code: 'BAD_REQUEST' });
    // An uncatalogued code stays unexpected, 4xx or not.
    expect(
      shapeError({ message: 'x', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR' } }, { ...options, clientError: true })
        .extensions?.code,
    ).toBe('INTERNAL_SERVER_ERROR');
  });
});
