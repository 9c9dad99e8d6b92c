import { formatTraceparent, parseTraceparent } from './traceparent';

it('reads the version-00 header and writes it back', () => {
  const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const parent = parseTraceparent(value);
  expect(parent).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1 });
  expect(formatTraceparent(parent!)).toBe(value);
  expect(formatTraceparent({ ...parent!, flags: 0 })).toBe(value.replace(/01$/, '00'));
});

it('reads nothing from a header the spec calls invalid', () => {
  for (const value of [
    undefined,
    '',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-',
  ])
    expect(parseTraceparent(value)).toBeUndefined();
  expect(() => formatTraceparent({ traceId: '0'.repeat(32), spanId: '00f067aa0ba902b7', flags: 1 })).toThrow();
});
