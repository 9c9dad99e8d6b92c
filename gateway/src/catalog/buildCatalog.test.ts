import { DEFAULT_CONSUMERS_FILE } from '../config';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, supergraph } from '../policy/policyFixtures.test-helpers';
import { buildCatalog } from './buildCatalog';
import { renderCatalogPage } from './catalogPage';

const now = new Date('2026-11-27T12:00:00+08:00');
const { policySet } = loadPolicySet(
  { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
  supergraph,
  { now: now.getTime() },
);
const catalog = buildCatalog(policySet!, supergraph.version, now);
const field = (agency: string, coordinate: string) =>
  catalog.agencies
    .find((a) => a.id === agency)
    ?.types.flatMap((t) => t.fields)
    .find((f) => f.coordinate === coordinate);

describe('data catalog', () => {
  it('lists each agency with its name and the fields it resolves, classed as its policy says', () => {
    expect(catalog.agencies.map((a) => a.id)).toEqual(['development-reform', 'education', 'science']);
    expect(catalog.agencies.find((a) => a.id === 'education')?.name).toMatch(/Municipal Education Commission/);
    expect(field('education', 'Student.guardianPhone')).toMatchObject({
      sharingClass: 'NOT_SHARED',
      level: 'L4',
      origin: 'type-default',
      legalBasis: expect.stringMatching(/PIPL/),
    });
    expect(field('education', 'School.name')).toMatchObject({
      sharingClass: 'UNCONDITIONAL',
      origin: 'field',
      description: 'Registered name of the school.',
    });
    // Fields another agency resolves are not listed under this one.
    expect(field('education', 'InvestmentProject.name')).toBeUndefined();
    expect(field('development-reform', 'InvestmentProject.name')).toBeDefined();
  });

  it('shows the grants in force: consumer, purposes, expiry, mask and rows; none that expired', () => {
    expect(field('education', 'School.students')?.grants).toEqual(
      expect.arrayContaining([
        {
          id: 'EDU-2026-001',
          consumer: 'district-haidian',
          purposes: ['enrollment-planning'],
          expires: expect.any(String),
          scope: { districtCode: '110108' },
        },
      ]),
    );
    expect(field('science', 'TechnologyContract.amount')?.grants).toEqual(
      expect.arrayContaining([expect.objectContaining({ consumer: 'development-reform', mask: 'round(10)' })]),
    );
    const later = buildCatalog(policySet!, supergraph.version, new Date('2030-01-01T00:00:00Z'));
    expect(later.agencies.flatMap((a) => a.types.flatMap((t) => t.fields.flatMap((f) => f.grants)))).toEqual([]);
  });

  it('shows minimum cell sizes and the arguments read like values', () => {
    expect(field('education', 'District.studentCount')).toMatchObject({ minCount: 5 });
    expect(field('education', 'District.schoolCount')?.minCount).toBeUndefined();
    expect(field('science', 'Organization.technologyContracts')?.arguments).toEqual([
      { name: 'role', reads: 'compares against TechnologyContract.seller, TechnologyContract.buyer' },
    ]);
    expect(field('education', 'District.schools')?.arguments).toEqual([
      { name: 'type', reads: 'compares against School.type (inferred)' },
    ]);
    const page = renderCatalogPage(catalog, { lang: 'en' });
    expect(page).toContain('counts below 5 withheld');
    expect(page).toContain('<code>role</code>: compares against TechnologyContract.seller, TechnologyContract.buyer');
  });

  it('renders a page with one anchor per field, escaping what the schema says', () => {
    const page = renderCatalogPage(catalog, { lang: 'en' });
    expect(page).toContain('<tr id="Student.guardianPhone"');
    expect(page).not.toMatch(/<script[^>]+src=/); // nothing loaded from elsewhere
    expect(renderCatalogPage({ ...catalog, agencies: [{ id: 'x', name: '<b>x</b>', types: [] }] })).toContain(
      '&lt;b&gt;x&lt;/b&gt;',
    );
  });
});
