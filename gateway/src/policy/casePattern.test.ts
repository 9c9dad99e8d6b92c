import { compileCasePattern, MAX_CASE_PATTERN_LENGTH } from './casePattern';

const matcher = (pattern: string) => {
  const compiled = compileCasePattern(pattern);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.matcher;
};
const problem = (pattern: string) => {
  const compiled = compileCasePattern(pattern);
  return compiled.ok ? undefined : compiled.error;
};

describe('case patterns', () => {
  it.each([
    ['JY-\\d{4}-\\d{6}', ['JY-2026-000123'], ['JY-2026-00012', 'JY-2026-0001234', 'jy-2026-000123', 'XJY-2026-000123']],
    ['(JY|JW)-[0-9]{4}', ['JY-2026', 'JW-2026'], ['JX-2026', 'JY-2026-']],
    ['[A-Z]{2,3}/\\d+', ['AB/1', 'ABC/123'], ['A/1', 'ABCD/1', 'AB/']],
    ['CASE-[^-]+', ['CASE-7x'], ['CASE-', 'CASE-a-b']],
    ['a.c', ['abc', 'a-c'], ['ac', 'abbc']],
    ['x(-\\d+)?', ['x', 'x-12'], ['x-', 'x12']],
    ['\\w+\\.\\w+', ['a.b', 'case_1.v2'], ['ab', 'a.b.c']],
    ['^HD\\d{3}$', ['HD001'], ['HD01', 'xHD001']],
    ['[-a]+\\$', ['-a$'], ['-a']],
    ['(?:ab)*c', ['c', 'ababc'], ['abc_', 'aabc']],
  ])('%s is anchored: it matches the whole reference only', (pattern, good, bad) => {
    const { matches } = matcher(pattern);
    for (const reference of good) expect([reference, matches(reference)]).toEqual([reference, true]);
    for (const reference of bad) expect([reference, matches(reference)]).toEqual([reference, false]);
  });

  it('matches patterns that would take a backtracking engine minutes, in linear time', () => {
    // JavaScript's RegExp needs ~2^n steps for these on n 'a's followed by a mismatch.
    const hostile = ['(a+)+b', '(a|a)*b', '(a|aa)+b', '(\\w*)*b', '(a*)*b', 'a*a*a*a*a*a*a*a*b'];
    const reference = 'a'.repeat(64);
    const started = performance.now();
    for (const pattern of hostile) expect(matcher(pattern).matches(reference)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    expect(matcher('(a+)+b').matches(`${'a'.repeat(63)}b`)).toBe(true);
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(MAX_CASE_PATTERN_LENGTH + 1), /at most 128/],
    ['(ab', /group that is not closed/],
    ['ab)', /unmatched "\)"/],
    ['[a-', /class that is not closed/],
    ['[z-a]', /range whose end comes before its start/],
    ['*a', /nothing to repeat/],
    ['a**', /repetition of a repetition/],
    ['a{2', /write a repetition as/],
    ['a{5,2}', /fewer times/],
    ['a{1000}', /write a repetition as|more than 64/],
    ['a{65}', /more than 64/],
    ['(a)\\1', /"\\1" is not supported/],
    ['\\bcase', /"\\b" is not supported/],
    ['(?=a)b', /lookarounds/],
    ['a^b', /only open and close/],
    ['案件-\\d+', /visible ASCII/],
    ['((a{64}){64}){64}', /too large/],
  ])('refuses %j with a reason', (pattern, reason) => {
    expect(problem(pattern)).toMatch(reason);
  });

  it('names the pattern and the position of the problem', () => {
    expect(problem('JY-(\\d{4}')).toBe('case pattern "JY-(\\\\d{4}": a group that is not closed at character 10');
  });
});
