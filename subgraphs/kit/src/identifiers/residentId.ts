/**
 * Resident identity number (GB 11643-1999), 18 characters:
 * 6-digit address code + birth date YYYYMMDD + 3-digit sequence (odd = male) + check character.
 * The check is ISO 7064 MOD 11-2.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = '10X98765432';
const PATTERN = /^\d{17}[\dX]$/;

export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('a resident ID check needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

function isRealDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (year < 1850 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * True when the value has the right shape, a real birth date and the right check character.
 * The address code is not checked against today's codes: an issued number never changes, so
 * retired codes (110103 Chongwen, 110104 Xuanwu) stay valid.
 */
export function isValidResidentId(value: string): boolean {
  if (!PATTERN.test(value)) return false;
  if (!isRealDate(value.slice(6, 14))) return false;
  return residentIdCheckChar(value.slice(0, 17)) === value[17];
}

export interface ResidentIdParts {
  addressCode: string;
  /** YYYY-MM-DD */
  birthDate: string;
  /** 1-999; odd for men, even for women. */
  sequence: number;
}

export function buildResidentId(parts: ResidentIdParts): string {
  const first17 = parts.addressCode + parts.birthDate.replaceAll('-', '') + String(parts.sequence).padStart(3, '0');
  return first17 + residentIdCheckChar(first17);
}

export function residentIdGender(id: string): 'MALE' | 'FEMALE' {
  return Number(id[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
}
