import { buildResidentId, mobileNumber, personName, type SeededRandom } from '@cdo-hub/subgraph-kit';

/** Where investigators' ID numbers were issued: mostly Beijing, the rest came for study or work. */
const OTHER_ADDRESS_CODES = [
  '130102',
  '370102',
  '410105',
  '420106',
  '510104',
  '320106',
  '330106',
  '610113',
  '220104',
  '430104',
];

export interface Investigator {
  name: string;
  idNumber: string;
  phone: string;
}

/** Investigators per organisation: a senior researcher usually leads several projects over the years. */
export class InvestigatorPool {
  private readonly byOrganization = new Map<string, Investigator[]>();
  private readonly usedIds = new Set<string>();

  constructor(
    private readonly random: SeededRandom,
    private readonly beijingCodes: readonly string[],
  ) {}

  forOrganization(uscc: string): Investigator {
    const staff = this.byOrganization.get(uscc) ?? [];
    this.byOrganization.set(uscc, staff);
    if (staff.length > 0 && this.random.chance(0.35)) return this.random.pick(staff);
    const investigator = this.newInvestigator();
    staff.push(investigator);
    return investigator;
  }

  private newInvestigator(): Investigator {
    const random = this.random;
    const gender = random.chance(0.65) ? 'MALE' : 'FEMALE';
    let idNumber: string;
    do {
      idNumber = buildResidentId({
        addressCode: random.chance(0.6) ? random.pick(this.beijingCodes) : random.pick(OTHER_ADDRESS_CODES),
        birthDate: random.date('1960-01-01', '1992-12-31'),
        // The sequence's parity records the gender: odd for men, even for women.
        sequence: random.int(1, 499) * 2 - (gender === 'MALE' ? 1 : 0),
      });
    } while (this.usedIds.has(idNumber));
    this.usedIds.add(idNumber);
    return { name: personName(random, gender), idNumber, phone: mobileNumber(random) };
  }
}
