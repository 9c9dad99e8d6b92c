import { GraphQLError } from 'graphql';
import { ERROR_CATALOGUE } from '../errors';
import { refuseOnInvalidCursor, refusingInvalidCursors } from './refuseInvalidCursors';

describe('a cursor an agency refuses', () => {
  const invalid = new GraphQLError('This is not a cursor this list issued for this row scope.', {
    path: ['schools', 'nodes', 0, 'students'],
    extensions: { code: 'INVALID_CURSOR', serviceName: 'education' },
  });
  const withheld = new GraphQLError('Student.name is withheld.', { extensions: { code: 'GRANT_REQUIRED' } });

  it('refuses the whole operation: no data, only the cursor errors, answered 400', () => {
    const refused = refuseOnInvalidCursor({
      data: { schools: { nodes: [{ students: null }] } },
      errors: [withheld, invalid],
    });
    expect(refused).toEqual({ errors: [invalid] });
    expect(refused.data).toBeUndefined();
    expect(ERROR_CATALOGUE.INVALID_CURSOR.httpStatus).toBe(400);
  });

  it('leaves every other answer as it is', () => {
    const partial = { data: { schools: null }, errors: [withheld] };
    expect(refuseOnInvalidCursor(partial)).toBe(partial);
    const whole = { data: { schools: { nodes: [] } } };
    expect(refuseOnInvalidCursor(whole)).toBe(whole);
  });

  it('tells the run owner of a refused answer, so the audit counts no records for it', async () => {
    const refused: unknown[] = [];
    const executor = refusingInvalidCursors(
      async () => ({ data: { school: { students: null } }, errors: [invalid] }),
      (request) => refused.push(request),
    );
    const request = { context: {} } as never;
    const result = await executor(request);
    expect(result).toEqual({ errors: [invalid] });
    expect(refused).toEqual([request]);
    const answered = refusingInvalidCursors(
      async () => ({ data: { school: null } }),
      (request) => refused.push(request),
    );
    await answered(request);
    expect(refused).toHaveLength(1);
  });
});
