/**
 * Unified Social Credit Code (GB 32100-2015): the 18-character identifier every
 * organisation in China carries — companies, schools, government organs.
 *
 *   pos 1     registering body (1 institutional staffing, 5 civil affairs, 9 market regulation, Y other)
 *   pos 2     entity type within that body (e.g. 91 enterprise, 12 public institution, 52 private non-enterprise unit)
 *   pos 3-8   administrative code of the registry (e.g. 110108 Haidian, 110302 the development zone)
 *   pos 9-17  organisation code, with its own check character (GB 11714)
 *   pos 18    check character over the first 17
 */

/** The 31 symbols of the code; a symbol's value is its position. I, O, S, V and Z are never used. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** w_i = 3^i mod 31 for i = 0..16 (GB 32100-2015, 5.3). */
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** Weights of the 9-character organisation code's check (GB 11714-1997). */
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

const USCC_PATTERN = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{9}[0-9A-HJ-NP-RTUW-Y]$/;

function symbolValue(symbol: string): number {
  const value = USCC_ALPHABET.indexOf(symbol);
  if (value < 0) throw new RangeError(`"${symbol}" is not a USCC symbol`);
  return value;
}

/**
 * GB 11714 values letters by their place in the full Latin alphabet (A = 10 ... Z = 35), unlike
 * the USCC's own 31-symbol alphabet.
 */
function organizationCodeSymbolValue(symbol: string): number {
  if (/^\d$/.test(symbol)) return Number(symbol);
  if (/^[A-Z]$/.test(symbol)) return symbol.charCodeAt(0) - 55;
  throw new RangeError(`"${symbol}" is not an organisation code symbol`);
}

/** The 18th character for the given first 17 characters. */
export function usccCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError('a USCC check needs exactly 17 characters');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += symbolValue(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** The 9th character of an organisation code for its first 8: 10 is written X, 11 is written 0. */
export function organizationCodeCheckChar(first8: string): string {
  if (first8.length !== 8) throw new RangeError('an organisation code check needs exactly 8 characters');
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += organizationCodeSymbolValue(first8[i]!) * ORG_CODE_WEIGHTS[i]!;
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** True when the value is 18 USCC symbols whose last one is the right check character. */
export function isValidUscc(value: string): boolean {
  if (!USCC_PATTERN.test(value)) return false;
  return usccCheckChar(value.slice(0, 17)) === value[17];
}

/** The administrative code of the registry (positions 3-8). */
export function usccRegistryCode(uscc: string): string {
  return uscc.slice(2, 8);
}

export interface UsccParts {
  /** Positions 1-2, e.g. `91` for an enterprise, `12` for a public institution. */
  registrationType: string;
  /** Positions 3-8. */
  registryCode: string;
  /** The 8 body characters of the organisation code (its check character is computed). */
  organizationCodeBody: string;
}

/** Assembles a valid USCC, computing both check characters. */
export function buildUscc(parts: UsccParts): string {
  const orgCode = parts.organizationCodeBody + organizationCodeCheckChar(parts.organizationCodeBody);
  const first17 = parts.registrationType + parts.registryCode + orgCode;
  return first17 + usccCheckChar(first17);
}
