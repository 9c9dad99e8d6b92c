import { DEFAULT_CATALOG_DIR, DEFAULT_CONSUMERS_FILE } from '../config';
import { loadPolicySet } from '../policy';
import { FIXTURE_POLICY_DIR, supergraph } from '../policy/policyFixtures.test-helpers';
import { buildCatalog } from './buildCatalog';
import { pickLanguage } from './catalogLanguage';
import { renderCatalogPage } from './catalogPage';
import { loadCatalogMetadata } from './loadCatalogMetadata';
import { localizeCatalog } from './localizeCatalog';
import { catalogFields, searchCatalog } from './searchCatalog';

const now = new Date('2026-11-27T12:00:00+08:00');
const { policySet } = loadPolicySet(
  { policyDir: FIXTURE_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
  supergraph,
  { now: now.getTime() },
);
const metadata = loadCatalogMetadata(DEFAULT_CATALOG_DIR, supergraph.apiSchema, supergraph.ownership);
const catalog = buildCatalog(policySet!, supergraph.version, now, metadata);
const found = (query: string) =>
  catalogFields(searchCatalog(catalog, query)).map((f) => `${f.agency}|${f.field.coordinate}`);

describe('catalog search', () => {
  it('finds fields by their Chinese name and description', () => {
    expect(found('监护人')).toEqual(['education|Student.guardianName', 'education|Student.guardianPhone']);
    expect(found('监护人 电话')).toEqual(['education|Student.guardianPhone']);
    // 商业秘密 appears only in the Chinese descriptions of science's confidential figures.
    expect(found('商业秘密')).toEqual(
      expect.arrayContaining(['science|TechnologyContract.amount', 'science|HighTechEnterprise.revenue']),
    );
  });

  it('finds fields by English name, description, class in either language, and grant holder', () => {
    expect(found('guardianPhone')).toEqual(['education|Student.guardianPhone']);
    expect(found("Guardian's mobile")).toEqual(['education|Student.guardianPhone']);
    const conditional = found('有条件共享');
    expect(conditional.length).toBeGreaterThan(5);
    expect(conditional).toEqual(found('CONDITIONAL').filter((f) => conditional.includes(f)));
    expect(
      catalogFields(searchCatalog(catalog, '有条件共享')).every((f) => f.field.sharingClass === 'CONDITIONAL'),
    ).toBe(true);
    expect(found('district-haidian')).toContain('education|School.students');
    expect(found('no-such-thing-anywhere')).toEqual([]);
    expect(found('   ')).toHaveLength(catalogFields(catalog).length);
  });

  it('keeps every key of a field and adds labels in the reader’s language', () => {
    const zh = localizeCatalog(searchCatalog(catalog, '监护人联系电话'), 'zh-CN', '监护人联系电话');
    const field = zh.agencies[0]!.types[0]!.fields[0]!;
    expect(zh).toMatchObject({ lang: 'zh-CN', query: '监护人联系电话', fieldCount: 1 });
    expect(field).toMatchObject({
      coordinate: 'Student.guardianPhone',
      name: 'guardianPhone',
      sharingClass: 'NOT_SHARED',
      label: '监护人联系电话',
      sharingClassLabel: '不予共享',
      updateFrequencyLabel: '随业务变更',
    });
    const en = localizeCatalog(catalog, 'en');
    expect(catalogFields(en as never).length).toBe(en.fieldCount);
    expect(
      en.agencies.find((a) => a.id === 'education')!.types.find((t) => t.name === 'Student')!.fields[0],
    ).toMatchObject({
      label: 'studentNumber',
      sharingClassLabel: 'not shared',
    });
  });
});

describe('catalog language', () => {
  it('answers in Chinese unless English is preferred or asked for', () => {
    expect(pickLanguage(undefined)).toBe('zh-CN');
    expect(pickLanguage('')).toBe('zh-CN');
    expect(pickLanguage('fr-FR, de;q=0.8')).toBe('zh-CN');
    expect(pickLanguage('en-US,en;q=0.9')).toBe('en');
    expect(pickLanguage('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh-CN');
    expect(pickLanguage('zh;q=0.5, en;q=0.9')).toBe('en');
    expect(pickLanguage('en;q=0, zh-TW')).toBe('zh-CN');
    expect(pickLanguage('en-GB', 'zh')).toBe('zh-CN');
    expect(pickLanguage(undefined, 'en')).toBe('en');
    expect(pickLanguage('en', 'klingon')).toBe('en');
  });

  it('renders the Chinese page with the sharing classes’ Chinese names and a request action on conditional fields', () => {
    const page = renderCatalogPage(catalog);
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toContain('<span class="class not_shared">不予共享</span>');
    expect(page).toContain('<span class="class conditional">有条件共享</span>');
    expect(page).toContain('<span class="class unconditional">无条件共享</span>');
    expect(page).toMatch(
      /<tr id="Student\.guardianPhone"[^>]*>\n<td[^>]*><a href="#Student\.guardianPhone" class="field-name">监护人联系电话<\/a>/,
    );
    // Conditional fields can be requested; NOT_SHARED ones cannot.
    expect(page).toContain('data-coordinate="Student.name" data-agency="education">申请使用</button>');
    expect(page).not.toContain('data-coordinate="Student.guardianPhone"');
    expect(renderCatalogPage(catalog, { lang: 'en' })).toContain('<span class="class not_shared">not shared</span>');
  });

  it('applies ?q= on the server: rows that do not match are hidden, the count says how many match', () => {
    const page = renderCatalogPage(catalog, { query: '监护人' });
    const rows = [...page.matchAll(/<tr id="([^"]+)" data-search="[^"]*"( hidden)?>/g)];
    expect(rows.filter((r) => !r[2]).map((r) => r[1])).toEqual(['Student.guardianName', 'Student.guardianPhone']);
    expect(page).toContain(
      `<p id="catalog-count" class="muted" aria-live="polite">${rows.length} 个数据项中有 2 个匹配</p>`,
    );
    expect(page).toContain('value="监护人"');
  });

  it('flags a field its agency has not named', () => {
    const bare = buildCatalog(policySet!, supergraph.version, now);
    const page = renderCatalogPage(bare);
    expect(page).toContain('目录未登记此数据项（仅显示英文名）');
    expect(page).toMatch(/class="field-name"><code>guardianPhone<\/code><\/a>/);
  });
});
