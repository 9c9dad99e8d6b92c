import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentSubjectKey, readSubjectKey, subjectDigest, subjectKeyVariable } from '.';

describe('subject digests', () => {
  const key = 'an-agency-subject-key-of-32-characters-or-more';

  it('are HMAC-SHA256 of the identifier, trimmed and upper-cased, in hex', () => {
    const expected = createHmac('sha256', key).update('11010519491231002X').digest('hex');
    expect(subjectDigest(key, '11010519491231002X')).toBe(expected);
    expect(subjectDigest(key, ' 11010519491231002x ')).toBe(expected);
    expect(subjectDigest(key, '11010519491231002X')).not.toBe(subjectDigest(`${key}!`, '11010519491231002X'));
  });

  it("read each agency's key from its variable or file; the development key only outside production", () => {
    expect(subjectKeyVariable('development-reform')).toBe('DEVELOPMENT_REFORM_SUBJECT_KEY');
    expect(readSubjectKey('education', {}, false)).toBe(developmentSubjectKey('education'));
    expect(developmentSubjectKey('education')).not.toBe(developmentSubjectKey('science'));
    expect(() => readSubjectKey('education', {}, true)).toThrow(/EDUCATION_SUBJECT_KEY/);
    expect(readSubjectKey('education', { EDUCATION_SUBJECT_KEY: key }, true)).toBe(key);
    expect(() => readSubjectKey('education', { EDUCATION_SUBJECT_KEY: 'short' }, false)).toThrow(/32 characters/);
    const dir = mkdtempSync(join(tmpdir(), 'subject-key-'));
    try {
      writeFileSync(join(dir, 'key'), `${key}\n`);
      expect(readSubjectKey('science', { SCIENCE_SUBJECT_KEY_FILE: join(dir, 'key') }, true)).toBe(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
