import { createHmac } from 'node:crypto';
import { getNamedType, isNonNullType, type GraphQLOutputType } from 'graphql';

/**
 * Masking functions a grant may apply to a field it releases (forms from the domain reference):
 *
 *   idNumber   110101********1234     first 6 and last 4 kept (student numbers keep their letter)
 *   mobile     138****5678            first 3 and last 4 kept
 *   name       张*, 欧阳**             surname kept
 *   address    北京市海淀区******       kept down to the district
 *   hash       keyed HMAC pseudonym, stable per consumer (joins within one consumer still work)
 *   null       the value withheld
 *   round(n)   amounts rounded to a multiple of n (e.g. round(10000))
 *   yearOnly   dates cut to their year: 2019-05-01 → 2019
 *
 * Masks run on values only: the schema a consumer sees stays the same.
 */
export type MaskSpec =
  { kind: 'idNumber' | 'mobile' | 'name' | 'address' | 'hash' | 'null' | 'yearOnly' } | { kind: 'round'; step: number };

export type MaskKind = MaskSpec['kind'];

export function formatMask(mask: MaskSpec): string {
  return mask.kind === 'round' ? `round(${mask.step})` : mask.kind;
}

/** Parses `name`, `round(10000)`... Returns an error message for anything else. */
export function parseMask(text: string): MaskSpec | { error: string } {
  const trimmed = text.trim();
  const round = /^round\((\d+(?:\.\d+)?)\)$/.exec(trimmed);
  if (round) {
    const step = Number(round[1]);
    return step > 0 ? { kind: 'round', step } : { error: 'round(n) needs n > 0' };
  }
  if (['idNumber', 'mobile', 'name', 'address', 'hash', 'null', 'yearOnly'].includes(trimmed))
    return { kind: trimmed as Exclude<MaskKind, 'round'> };
  return { error: `unknown mask "${trimmed}"; known: idNumber, mobile, name, address, hash, null, round(n), yearOnly` };
}

/** Every mask, as written in a grant (`round(n)` with the step to round to). */
export const MASK_NAMES = ['idNumber', 'mobile', 'name', 'address', 'hash', 'yearOnly', 'null', 'round(n)'] as const;

/** The masks that can apply to a field of this type, for help texts and "masks that fit" hints. */
export function masksThatFit(fieldType: GraphQLOutputType): string[] {
  return MASK_NAMES.filter((name) => {
    const parsed = parseMask(name === 'round(n)' ? 'round(1)' : name);
    return !('error' in parsed) && !maskTypeProblem(parsed, fieldType);
  });
}

const TEXT_TYPES = new Set(['String', 'ID']);
const NUMBER_TYPES = new Set(['Int', 'Float']);

/** Why a mask cannot apply to a field of this type, or undefined when it can. */
export function maskTypeProblem(mask: MaskSpec, fieldType: GraphQLOutputType): string | undefined {
  const named = getNamedType(fieldType).name;
  if (mask.kind === 'null')
    return isNonNullType(fieldType) ? `null cannot mask a non-null field (${String(fieldType)})` : undefined;
  if (mask.kind === 'round')
    return NUMBER_TYPES.has(named) ? undefined : `round(n) applies to Int or Float fields, not ${named}`;
  return TEXT_TYPES.has(named) ? undefined : `${mask.kind} applies to String or ID fields, not ${named}`;
}

// Two-character surnames, so that 欧阳娜娜 masks to 欧阳** and not 欧***.
const COMPOUND_SURNAMES = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '令狐',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '端木',
  '南宫',
  '西门',
  '独孤',
  '百里',
]);

function stars(n: number): string {
  return '*'.repeat(Math.max(0, n));
}

export function maskIdNumber(value: string): string {
  const letter = /^[A-Z]/.test(value) ? value[0]! : '';
  const digits = value.slice(letter.length);
  if (digits.length <= 10) return letter + stars(digits.length);
  return letter + digits.slice(0, 6) + stars(digits.length - 10) + digits.slice(-4);
}

export function maskMobile(value: string): string {
  if (value.length <= 7) return stars(value.length);
  return value.slice(0, 3) + stars(value.length - 7) + value.slice(-4);
}

export function maskName(value: string): string {
  const chars = [...value];
  const surnameLength = chars.length > 2 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join('')) ? 2 : 1;
  return chars.slice(0, surnameLength).join('') + stars(chars.length - surnameLength);
}

/** Keeps the address down to its district (…区/县, or a functional zone's name); a fixed run of stars hides the rest and its length. */
export function maskAddress(value: string): string {
  const district = /^(.*?(?:市)?.*?(?:区|县|开发区))/u.exec(value);
  const kept = district?.[1] && district[1].length < value.length ? district[1] : [...value].slice(0, 3).join('');
  return kept + '******';
}

export function maskYearOnly(value: string): string {
  return /^\d{4}/.test(value) ? value.slice(0, 4) : stars([...value].length);
}

export function maskHash(value: string, key: string, consumerId: string): string {
  return (
    'h_' + createHmac('sha256', key).update(consumerId).update('\u0000').update(value).digest('base64url').slice(0, 22)
  );
}

export interface MaskContext {
  /** Secret key of the `hash` mask. */
  hashKey: string;
  consumerId: string;
}

/** Applies a mask to one value (lists item by item); null stays null. */
export function applyMask(mask: MaskSpec, value: unknown, context: MaskContext): unknown {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((item) => applyMask(mask, item, context));
  switch (mask.kind) {
    case 'null':
      return null;
    case 'round':
      return typeof value === 'number' ? Math.round(value / mask.step) * mask.step : null;
    case 'idNumber':
      return maskIdNumber(String(value));
    case 'mobile':
      return maskMobile(String(value));
    case 'name':
      return maskName(String(value));
    case 'address':
      return maskAddress(String(value));
    case 'yearOnly':
      return maskYearOnly(String(value));
    case 'hash':
      return maskHash(String(value), context.hashKey, context.consumerId);
    default: {
      const unreachable: never = mask;
      throw new Error(`unhandled mask ${JSON.stringify(unreachable)}`);
    }
  }
}
