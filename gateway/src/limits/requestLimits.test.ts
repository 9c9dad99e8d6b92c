import { checkRequestLimits, DEFAULT_REQUEST_LIMITS, MAX_VARIABLES_DEPTH, nestingDepth } from './requestLimits';

const limits = { maxBatch: 3, maxVariablesBytes: 20 };

describe('request limits', () => {
  it('bounds the length of a batch, exactly at the bound', () => {
    const op = { query: '{ a }' };
    expect(checkRequestLimits('POST', [op, op, op], undefined, limits)).toBeUndefined();
    expect(checkRequestLimits('POST', [op, op, op, op], undefined, limits)).toMatchObject({
      code: 'BATCH_TOO_LARGE',
      limit: 3,
      actual: 4,
    });
  });

  it('bounds the JSON of variables in bytes, for POST bodies, batch members and GET query strings', () => {
    const fits = { s: 'x'.repeat(12) }; // {"s":"xxxxxxxxxxxx"} is 20 bytes
    const over = { s: 'x'.repeat(13) };
    expect(checkRequestLimits('POST', { query: '{ a }', variables: fits }, undefined, limits)).toBeUndefined();
    expect(checkRequestLimits('POST', { query: '{ a }', variables: over }, undefined, limits)).toMatchObject({
      code: 'VARIABLES_TOO_LARGE',
      limit: 20,
      actual: 21,
    });
    expect(
      checkRequestLimits('POST', [{ query: '{ a }' }, { query: '{ a }', variables: over }], undefined, limits),
    ).toMatchObject({ code: 'VARIABLES_TOO_LARGE' });
    expect(
      checkRequestLimits('GET', undefined, { query: '{ a }', variables: JSON.stringify(fits) }, limits),
    ).toBeUndefined();
    expect(
      checkRequestLimits('GET', undefined, { query: '{ a }', variables: JSON.stringify(over) }, limits),
    ).toMatchObject({ code: 'VARIABLES_TOO_LARGE' });
    // Bytes, not characters: 7 three-byte characters plus the JSON around them.
    expect(checkRequestLimits('POST', { variables: { s: '数据数据数据数' } }, undefined, limits)).toMatchObject({
      actual: 29,
    });
  });

  it('lets shapes that are not GraphQL requests through to Apollo Server, which refuses them itself', () => {
    for (const body of [null, 'text', 42, [], [null, 1], { variables: null }])
      expect(checkRequestLimits('POST', body, undefined, DEFAULT_REQUEST_LIMITS)).toBeUndefined();
    expect(checkRequestLimits('GET', undefined, undefined, DEFAULT_REQUEST_LIMITS)).toBeUndefined();
  });
});

describe('variables nesting', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };

  it('measures depth without recursion, even 100,000 levels down', () => {
    expect(nestingDepth(1, 10)).toBe(0);
    expect(nestingDepth({ a: [1, { b: 2 }] }, 10)).toBe(3);
    expect(nestingDepth(nested(100_000), MAX_VARIABLES_DEPTH + 1)).toBe(MAX_VARIABLES_DEPTH + 1);
  });

  it(`refuses variables nested deeper than ${MAX_VARIABLES_DEPTH} levels before anything recursive reads them`, () => {
    expect(
      checkRequestLimits('POST', { variables: nested(MAX_VARIABLES_DEPTH) }, undefined, DEFAULT_REQUEST_LIMITS),
    ).toBeUndefined();
    expect(
      checkRequestLimits('POST', { variables: nested(MAX_VARIABLES_DEPTH + 1) }, undefined, DEFAULT_REQUEST_LIMITS),
    ).toMatchObject({ code: 'VARIABLES_TOO_LARGE', limit: MAX_VARIABLES_DEPTH });
    expect(checkRequestLimits('POST', { variables: nested(100_000) }, undefined, DEFAULT_REQUEST_LIMITS)).toMatchObject(
      { code: 'VARIABLES_TOO_LARGE' },
    );
  });
});
