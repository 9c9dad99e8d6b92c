import { SUBJECTS_EXTENSION, type ReturnedSubject } from '@cdo-hub/contracts';
import { subjectAccess } from './subjectAccess';
import { entryText, readEntry, subjectsUnder } from './subjectsInCacheEntries';
import { SubjectsSeen, takeSubjects } from './subjectsSeen';

const digest = (n: number) => String(n).padStart(64, '0');
const pupil = (n: number, fields: string[], path: (string | number)[] = ['students', n]): ReturnedSubject => ({
  digest: digest(n),
  kind: 'person',
  type: 'Student',
  fields,
  path,
});

describe('subjectAccess', () => {
  const view: Record<string, 'allow' | 'mask' | 'deny'> = {
    'Student.grade': 'allow',
    'Student.name': 'mask',
    'Student.idNumber': 'deny',
  };
  const effectOf = (coordinate: string) => view[coordinate];

  it('keeps the fields the view released, in clear or masked, and groups subjects by the fields released', () => {
    const access = subjectAccess(
      { education: [pupil(1, ['grade', 'name']), pupil(2, ['name', 'grade']), pupil(3, ['grade'])] },
      effectOf,
    );
    expect(access).toEqual({
      education: [
        { kind: 'person', type: 'Student', released: ['grade'], masked: ['name'], digests: [digest(1), digest(2)] },
        { kind: 'person', type: 'Student', released: ['grade'], masked: [], digests: [digest(3)] },
      ],
    });
  });

  it('leaves out a denied field, a field the operation did not ask for (an entity key), and a subject with nothing released', () => {
    const access = subjectAccess({ education: [pupil(1, ['idNumber', 'pid']), pupil(2, ['grade', 'pid'])] }, effectOf);
    expect(access).toEqual({
      education: [{ kind: 'person', type: 'Student', released: ['grade'], masked: [], digests: [digest(2)] }],
    });
  });

  it('counts one subject met in several records once, with every field released in any of them', () => {
    const access = subjectAccess({ education: [pupil(1, ['grade'], ['a']), pupil(1, ['name'], ['b'])] }, effectOf);
    expect(access.education).toEqual([
      { kind: 'person', type: 'Student', released: ['grade'], masked: ['name'], digests: [digest(1)] },
    ]);
  });
});

describe('takeSubjects', () => {
  it('takes the extension off the answer, keeping the other extensions, and drops what is not a subject', () => {
    const response = {
      data: {},
      extensions: { [SUBJECTS_EXTENSION]: [pupil(1, ['grade']), { digest: 'not-hex' }, null], other: 1 },
    };
    expect(takeSubjects(response)).toEqual([pupil(1, ['grade'])]);
    expect(response.extensions).toEqual({ other: 1 });
    const alone = { data: {}, extensions: { [SUBJECTS_EXTENSION]: 'garbage' } };
    expect(takeSubjects(alone)).toEqual([]);
    expect(alone).toEqual({ data: {} });
  });

  it('collects per operation and agency', () => {
    const seen = new SubjectsSeen();
    const operation = {};
    seen.add(operation, 'education', [pupil(1, ['grade'])]);
    seen.addAll(operation, { education: [pupil(2, ['grade'])], science: [] });
    expect(seen.of(operation)).toEqual({ education: [pupil(1, ['grade']), pupil(2, ['grade'])] });
    expect(seen.of({})).toBeUndefined();
  });
});

describe('fetch-cache entries', () => {
  it('keep the subjects of an entity and place them where the entity is served', () => {
    const handed = [pupil(1, ['grade'], ['_entities', 1, 'students', 0]), pupil(2, ['grade'], ['_entities', 0])];
    const mine = subjectsUnder(handed, ['_entities', 1]);
    expect(mine).toEqual([pupil(1, ['grade'], ['students', 0])]);
    const text = entryText({ name: 'a school' }, mine);
    expect(readEntry(text, ['_entities', 4])).toEqual({
      value: { name: 'a school' },
      subjects: [pupil(1, ['grade'], ['_entities', 4, 'students', 0])],
    });
    // An entry without subjects is stored as it always was.
    expect(entryText({ name: 'a school' }, [])).toBe('{"name":"a school"}');
    expect(readEntry('{"name":"a school"}', [])).toEqual({ value: { name: 'a school' }, subjects: [] });
  });
});
