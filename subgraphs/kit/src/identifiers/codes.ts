/**
 * Identifiers that carry no public check algorithm: only their shape is validated.
 */

/** School identifier: 2-digit type + `11` (Beijing) + 6-digit serial. It does not encode the district. */
export const SCHOOL_CODE_PATTERN = /^(11|21|31|34|36|41|51)11\d{6}$/;

/** Fixed-asset investment project code (GB/T 40058-2021): YYYY-RRRRRR-DD-TT-NNNNNN. */
export const INVESTMENT_PROJECT_CODE_PATTERN = /^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$/;

/** National student number: `G` + the student's resident ID number (or `J`/`L` + a pseudo ID). */
export const STUDENT_NUMBER_PATTERN = /^[GJL]\d{17}[\dX]$/;

export function isSchoolCode(value: string): boolean {
  return SCHOOL_CODE_PATTERN.test(value);
}

export function isInvestmentProjectCode(value: string): boolean {
  return INVESTMENT_PROJECT_CODE_PATTERN.test(value);
}
