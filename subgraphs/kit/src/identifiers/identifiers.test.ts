import fc from 'fast-check';
import {
  buildResidentId,
  buildUscc,
  isValidResidentId,
  isValidUscc,
  organizationCodeCheckChar,
  residentIdCheckChar,
  USCC_ALPHABET,
  usccCheckChar,
} from './index';

// Test vectors from the domain reference (GB 32100-2015 and GB 11643-1999 examples).
const VALID_USCC = [
  '91110302562134916R',
  '911103027404017237',
  '91440101MA5CJQ4N59',
  '91110105MA01ABCD5F',
  '91110108MA00HJ7KX5',
  '1211000040000123XG',
  '52110105MJ0R4T216T',
];
const INVALID_USCC = ['91350203M0001QAY9B'];
const VALID_RESIDENT_IDS = ['11010519491231002X', '110101201003071233', '110108199001014563', '440524188001010014'];

describe('USCC', () => {
  it.each(VALID_USCC)('accepts %s', (code) => {
    expect(isValidUscc(code)).toBe(true);
    expect(usccCheckChar(code.slice(0, 17))).toBe(code[17]);
  });

  it.each(VALID_USCC)('%s carries a valid organisation code (positions 9-17)', (code) => {
    expect(organizationCodeCheckChar(code.slice(8, 16))).toBe(code[16]);
  });

  it.each(INVALID_USCC)('rejects %s (bad check character)', (code) => {
    expect(isValidUscc(code)).toBe(false);
  });

  it('rejects letters outside the alphabet and wrong lengths', () => {
    expect(isValidUscc('91110302562134916')).toBe(false);
    expect(isValidUscc('9111030256213491IR')).toBe(false);
    expect(isValidUscc('')).toBe(false);
  });

  it('builds codes whose both check characters verify', () => {
    const symbol = fc.constantFrom(...USCC_ALPHABET.split(''));
    fc.assert(
      fc.property(fc.array(symbol, { minLength: 8, maxLength: 8 }), (body) => {
        const uscc = buildUscc({ registrationType: '91', registryCode: '110108', organizationCodeBody: body.join('') });
        expect(isValidUscc(uscc)).toBe(true);
        expect(uscc.slice(16, 17)).toBe(organizationCodeCheckChar(body.join('')));
      }),
    );
  });

  it('detects every single-character substitution', () => {
    const symbol = fc.constantFrom(...USCC_ALPHABET.split(''));
    fc.assert(
      fc.property(
        fc.constantFrom(...VALID_USCC),
        fc.integer({ min: 0, max: 17 }),
        symbol,
        (code, position, replacement) => {
          fc.pre(code[position] !== replacement);
          const changed = code.slice(0, position) + replacement + code.slice(position + 1);
          // Positions 3-8 must stay digits to match the pattern; any change is still invalid.
          expect(isValidUscc(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('resident ID number', () => {
  it.each(VALID_RESIDENT_IDS)('accepts %s', (id) => {
    expect(isValidResidentId(id)).toBe(true);
    expect(residentIdCheckChar(id.slice(0, 17))).toBe(id[17]);
  });

  it('rejects a wrong check character, an impossible date and bad shapes', () => {
    expect(isValidResidentId('110101201003071234')).toBe(false);
    expect(isValidResidentId('110101201002301235')).toBe(false);
    expect(isValidResidentId('11010120100307123')).toBe(false);
    expect(isValidResidentId('11010120100307123x')).toBe(false);
  });

  it('accepts retired address codes (Chongwen 110103, Xuanwu 110104)', () => {
    const id = buildResidentId({ addressCode: '110103', birthDate: '1975-06-01', sequence: 17 });
    expect(isValidResidentId(id)).toBe(true);
  });

  it('builds numbers that verify', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2025-12-31'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 999 }),
        (birth, sequence) => {
          const id = buildResidentId({ addressCode: '110108', birthDate: birth.toISOString().slice(0, 10), sequence });
          expect(isValidResidentId(id)).toBe(true);
        },
      ),
    );
  });
});
