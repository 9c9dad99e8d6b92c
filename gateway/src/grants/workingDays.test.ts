import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import {
  addWorkingDays,
  beijingDate,
  isWorkingDay,
  loadWorkCalendar,
  parseWorkCalendar,
  uncoveredYears,
  workingDaysBetween,
  type WorkCalendar,
} from './workingDays';

const COMMITTED = path.join(__dirname, '../../../schema/calendar/holidays.yaml');
const cal2026 = loadWorkCalendar(COMMITTED);

function parseOk(text: string): WorkCalendar {
  const { calendar, problems } = parseWorkCalendar(text, 'test.yaml');
  expect(problems).toEqual([]);
  return calendar!;
}

describe('the committed calendar', () => {
  it('covers 2026 and not 2027', () => {
    expect([...cal2026.years]).toEqual([2026]);
    expect(cal2026.source).toBe(COMMITTED);
    expect(cal2026.holidays.size).toBe(33);
    expect([...cal2026.workdays].sort()).toEqual([
      '2026-01-04',
      '2026-02-14',
      '2026-02-28',
      '2026-05-09',
      '2026-09-20',
      '2026-10-10',
    ]);
    expect(uncoveredYears('2026-12-20', '2027-01-10', cal2026)).toEqual([2027]);
    expect(uncoveredYears('2026-01-01', '2026-12-31', cal2026)).toEqual([]);
    expect(uncoveredYears('2025-12-31', '2027-01-01', cal2026)).toEqual([2025, 2027]);
  });
});

describe('isWorkingDay', () => {
  it('a holiday on a weekday is a day off', () => {
    expect(isWorkingDay('2026-10-05', cal2026)).toBe(false); // Monday, National Day
    expect(isWorkingDay('2026-02-16', cal2026)).toBe(false); // Monday, Spring Festival
  });
  it('a normal weekend is a day off, a normal weekday a working day', () => {
    expect(isWorkingDay('2026-03-07', cal2026)).toBe(false); // Saturday
    expect(isWorkingDay('2026-03-08', cal2026)).toBe(false); // Sunday
    expect(isWorkingDay('2026-03-09', cal2026)).toBe(true); // Monday
  });
  it('a make-up weekend day is a working day', () => {
    expect(isWorkingDay('2026-01-04', cal2026)).toBe(true); // Sunday
    expect(isWorkingDay('2026-02-28', cal2026)).toBe(true); // Saturday
  });
  it('outside the covered years only weekends are known', () => {
    expect(isWorkingDay('2027-01-01', cal2026)).toBe(true); // a Friday; 2027 holidays are not listed yet
    expect(isWorkingDay('2027-01-02', cal2026)).toBe(false); // Saturday
  });
  it('rejects a date that is not a real calendar date', () => {
    expect(() => isWorkingDay('2026-02-30', cal2026)).toThrow(RangeError);
    expect(() => isWorkingDay('2026-2-3', cal2026)).toThrow(RangeError);
  });
});

describe('addWorkingDays', () => {
  it('10 working days from a Friday with no holidays is the Friday two weeks later', () => {
    // Fri 2026-03-06: Mar 9–13 (5) and Mar 16–20 (10); weekends Mar 7–8 and 14–15 skipped.
    expect(addWorkingDays('2026-03-06', 10, cal2026)).toBe('2026-03-20');
    expect(workingDaysBetween('2026-03-06', '2026-03-20', cal2026)).toBe(10);
  });

  it('never counts the start day and returns the start for 0 days', () => {
    expect(addWorkingDays('2026-03-09', 0, cal2026)).toBe('2026-03-09');
    expect(addWorkingDays('2026-03-09', 1, cal2026)).toBe('2026-03-10');
    expect(addWorkingDays('2026-03-07', 1, cal2026)).toBe('2026-03-09'); // from a Saturday
  });

  it('spans the Spring Festival', () => {
    // Request on Tue 2026-02-10:
    //   Wed 02-11 (1), Thu 02-12 (2), Fri 02-13 (3), Sat 02-14 make-up workday (4),
    //   Sun 02-15 … Mon 02-23 holidays (skipped),
    //   Tue 02-24 (5), Wed 02-25 (6), Thu 02-26 (7), Fri 02-27 (8), Sat 02-28 make-up workday (9),
    //   Sun 03-01 weekend (skipped), Mon 03-02 (10).
    expect(addWorkingDays('2026-02-10', 10, cal2026)).toBe('2026-03-02');
    expect(workingDaysBetween('2026-02-10', '2026-03-02', cal2026)).toBe(10);
    // Counting weekends only would wrongly give Tue 02-24.
    const weekendsOnly = parseOk('years: {2026: {}}');
    expect(addWorkingDays('2026-02-10', 10, weekendsOnly)).toBe('2026-02-24');
  });

  it('counts a make-up Saturday (2026-02-28)', () => {
    expect(addWorkingDays('2026-02-27', 1, cal2026)).toBe('2026-02-28');
    expect(addWorkingDays('2026-02-27', 2, cal2026)).toBe('2026-03-02');
  });

  it('handles the Mid-Autumn / National Day stretch with make-up Sep 20 and Oct 10', () => {
    // Request on Fri 2026-09-18: Sat 09-19 off, Sun 09-20 make-up (1), Mon–Thu 09-21..24 (2–5),
    // Fri 09-25 … Sun 09-27 Mid-Autumn (skipped), Mon–Wed 09-28..30 (6–8),
    // Thu 10-01 … Wed 10-07 National Day (skipped), Thu 10-08 (9), Fri 10-09 (10).
    expect(addWorkingDays('2026-09-18', 10, cal2026)).toBe('2026-10-09');
    // Request on Tue 2026-09-22: Wed 09-23 (1), Thu 09-24 (2), 09-25..27 off, 09-28..30 (3–5),
    // 10-01..07 off, Thu 10-08 (6), Fri 10-09 (7), Sat 10-10 make-up (8), Sun 10-11 off,
    // Mon 10-12 (9), Tue 10-13 (10).
    expect(addWorkingDays('2026-09-22', 10, cal2026)).toBe('2026-10-13');
    expect(addWorkingDays('2026-10-09', 1, cal2026)).toBe('2026-10-10');
  });

  it('crosses from an uncovered year into a covered one', () => {
    // Wed 2025-12-31 (2025 not covered): Thu–Sat 2026-01-01..03 New Year off, Sun 01-04 make-up (1),
    // Mon–Fri 01-05..09 (2–6), Mon–Thu 01-12..15 (7–10).
    expect(addWorkingDays('2025-12-31', 10, cal2026)).toBe('2026-01-15');
    expect(uncoveredYears('2025-12-31', '2026-01-15', cal2026)).toEqual([2025]);
  });

  it('rejects negative or fractional day counts', () => {
    expect(() => addWorkingDays('2026-03-09', -1, cal2026)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-03-09', 1.5, cal2026)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('is 0 when to <= from', () => {
    expect(workingDaysBetween('2026-03-10', '2026-03-10', cal2026)).toBe(0);
    expect(workingDaysBetween('2026-03-10', '2026-03-02', cal2026)).toBe(0);
  });
  it('counts only days after from, up to and including to', () => {
    expect(workingDaysBetween('2026-09-30', '2026-10-10', cal2026)).toBe(3); // Oct 8, 9, 10
  });

  it('is the inverse of addWorkingDays (property, 2025–2027)', () => {
    const first = Date.UTC(2025, 0, 1);
    const span = (Date.UTC(2028, 0, 1) - first) / 86_400_000;
    const date = fc
      .integer({ min: 0, max: span - 1 })
      .map((offset) => new Date(first + offset * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(date, fc.integer({ min: 0, max: 40 }), (start, n) => {
        const end = addWorkingDays(start, n, cal2026);
        expect(workingDaysBetween(start, end, cal2026)).toBe(n);
        if (n > 0) expect(isWorkingDay(end, cal2026)).toBe(true);
        else expect(end).toBe(start);
      }),
      { numRuns: 500 },
    );
  });
});

describe('beijingDate', () => {
  it('is UTC+8', () => {
    expect(beijingDate(new Date('2026-11-27T16:30:00Z'))).toBe('2026-11-28');
    expect(beijingDate(new Date('2026-11-27T15:59:59Z'))).toBe('2026-11-27');
    expect(beijingDate(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
  });
});

describe('parseWorkCalendar problems', () => {
  const problemsOf = (text: string) => {
    const result = parseWorkCalendar(text, 'cal.yaml');
    expect(result.calendar).toBeUndefined();
    return result.problems;
  };

  it('rejects a date that does not exist', () => {
    const problems = problemsOf('years:\n  2026:\n    holidays: ["2026-01-01", "2026-02-30"]\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('cal.yaml');
    expect(problems[0]).toContain('years.2026.holidays[1] "2026-02-30"');
  });

  it('rejects a date listed both as holiday and workday', () => {
    const problems = problemsOf('years:\n  2026:\n    holidays: ["2026-02-14"]\n    workdays: ["2026-02-14"]\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^cal\.yaml: .*"2026-02-14".*both/);
  });

  it('rejects a weekday listed as make-up workday', () => {
    const problems = problemsOf('years:\n  2026:\n    workdays: ["2026-03-02"]\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('years.2026.workdays[0] "2026-03-02"');
    expect(problems[0]).toContain('Monday');
  });

  it('rejects a date listed under the wrong year', () => {
    const problems = problemsOf('years:\n  2026:\n    holidays: ["2027-01-01"]\n');
    expect(problems).toEqual([expect.stringContaining('years.2026.holidays[0] "2027-01-01": listed under year 2026')]);
  });

  it('rejects a date listed twice', () => {
    expect(problemsOf('years:\n  2026:\n    holidays: ["2026-01-01", "2026-01-01"]\n')).toEqual([
      expect.stringContaining('already listed as years.2026.holidays[0]'),
    ]);
  });

  it('reports shape errors, unknown keys and YAML syntax errors with the source', () => {
    expect(problemsOf('years:\n  2026:\n    holidays: [20260101]\n')).toEqual([
      expect.stringMatching(/^cal\.yaml: years\.2026\.holidays\[0\] 20260101: /),
    ]);
    expect(problemsOf('years:\n  2026:\n    holiday: ["2026-01-01"]\n')).toEqual([
      expect.stringMatching(/^cal\.yaml: years\.2026/),
    ]);
    expect(problemsOf('years: [\n')[0]).toMatch(/^cal\.yaml: YAML: /);
    expect(problemsOf('years: {}\n')).toEqual(['cal.yaml: years: the calendar lists no year']);
  });

  it('loadWorkCalendar throws with every problem', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'work-calendar-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      writeFileSync(file, 'years:\n  2026:\n    holidays: ["2026-02-30"]\n    workdays: ["2026-03-02"]\n');
      expect(() => loadWorkCalendar(file)).toThrow(/2026-02-30[\s\S]*2026-03-02/);
      expect(() => loadWorkCalendar(path.join(dir, 'missing.yaml'))).toThrow(/cannot read work calendar/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
