import { DEFAULT_CATALOG_DIR, DEFAULT_CONSUMERS_FILE, DEFAULT_POLICY_DIR } from '../config';
import { parseYamlSource } from '../formats';
import { formatProblem, loadPolicySet } from '../policy';
import { supergraph } from '../policy/policyFixtures.test-helpers';
import { buildCatalog } from './buildCatalog';
import { compileCatalogMetadata, fieldsWithoutMetadata, loadCatalogMetadata } from './loadCatalogMetadata';
import { catalogFields } from './searchCatalog';

const { policySet } = loadPolicySet(
  { policyDir: DEFAULT_POLICY_DIR, consumersFile: DEFAULT_CONSUMERS_FILE },
  supergraph,
);
const compile = (files: Record<string, string>) =>
  compileCatalogMetadata(
    Object.entries(files).map(([file, text]) => parseYamlSource(text, file)),
    supergraph.apiSchema,
    supergraph.ownership,
  );
const header = (agency: string) =>
  `agency: ${agency}\nname: 测试委\nsteward: { office: 数据科, phone: 010-1234 5678 }\nupdateFrequency: monthly\nsourceSystem: 测试系统\n`;

describe('catalog metadata', () => {
  it('names every field of the committed catalog in Chinese, with steward, frequency and source, and no problem', () => {
    const metadata = loadCatalogMetadata(DEFAULT_CATALOG_DIR, supergraph.apiSchema, supergraph.ownership);
    expect(metadata.problems.map(formatProblem)).toEqual([]);
    const catalog = buildCatalog(policySet!, supergraph.version, new Date(), metadata);
    const listed = catalogFields(catalog).map(({ agency, field }) => ({ agency, coordinate: field.coordinate }));
    expect(listed.length).toBeGreaterThan(100);
    expect(fieldsWithoutMetadata(metadata, listed)).toEqual([]);
    const guardianPhone = catalogFields(catalog).find((f) => f.field.coordinate === 'Student.guardianPhone')!.field;
    expect(guardianPhone).toMatchObject({
      nameZh: '监护人联系电话',
      sharingClass: 'NOT_SHARED',
      steward: { office: expect.stringMatching(/学籍管理/), phone: expect.any(String) },
      updateFrequency: 'on-change',
      sourceSystem: expect.stringMatching(/学籍/),
    });
    expect(guardianPhone.metadataMissing).toBeUndefined();
    expect(catalog.agencies.find((a) => a.id === 'education')).toMatchObject({ nameZh: '北京市教育委员会' });
  });

  it('inherits steward, frequency and source from the type, then from the file', () => {
    const { agencies, problems } = compile({
      'education.yaml': `${header('education')}types:\n  School:\n    name: 学校\n    updateFrequency: per-term\n    fields:\n      name: 学校名称\n      address: { name: 地址, sourceSystem: 地址库, steward: { office: 地址科, email: a@b.example } }\n`,
    });
    expect(problems).toEqual([]);
    const fields = agencies.get('education')!.fields;
    expect(fields.get('School.name')).toEqual({
      nameZh: '学校名称',
      steward: { office: '数据科', phone: '010-1234 5678' },
      updateFrequency: 'per-term',
      sourceSystem: '测试系统',
    });
    expect(fields.get('School.address')).toMatchObject({
      steward: { office: '地址科', email: 'a@b.example' },
      sourceSystem: '地址库',
      updateFrequency: 'per-term',
    });
  });

  it('names file and line of each problem, with a guess, and drops a file that has any', () => {
    const { agencies, problems } = compile({
      'education.yaml': `${header('education')}types:\n  School:\n    name: 学校\n    fields:\n      adress: 地址\n  Stduent:\n    name: 学生\n  KeyLab:\n    name: 重点实验室\n`,
      'science.yaml': `${header('science').replace('monthly', 'sometimes')}types: {}\n`,
    });
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^education\.yaml:10: error: unknown field "School\.adress"\n {4}hint: did you mean "School\.address"\?$/,
      ),
      expect.stringMatching(/^education\.yaml:11: error: unknown type "Stduent"\n {4}hint: did you mean "Student"\?$/),
      expect.stringMatching(/^education\.yaml:13: error: education resolves no field of KeyLab/),
      expect.stringMatching(/^science\.yaml:4: error: updateFrequency(?:.|\n)*one of realtime, daily/),
    ]);
    expect(agencies.size).toBe(0);
  });

  it('refuses a steward nobody can reach, an unknown agency and a file named after another agency', () => {
    const { problems } = compile({
      'education.yaml':
        'agency: education\nname: 教委\nsteward: { office: 数据科 }\nupdateFrequency: daily\nsourceSystem: x\ntypes: {}\n',
      'scince.yaml': `${header('scince')}types: {}\n`,
      'other.yaml': `${header('science')}types: {}\n`,
    });
    expect(problems.map(formatProblem)).toEqual([
      expect.stringMatching(/^education\.yaml:3: error: steward: give the steward a phone or an e-mail address/),
      expect.stringMatching(
        /^scince\.yaml:1: error: agency "scince" publishes no subgraph(?:.|\n)*did you mean "science"/,
      ),
      expect.stringMatching(/^other\.yaml:1: error: the file for agency "science" must be named science\.yaml/),
    ]);
  });

  it('flags a field its agency does not name: shown by its English name', () => {
    const metadata = compile({
      'education.yaml': `${header('education')}types:\n  School:\n    name: 学校\n    fields:\n      name: 学校名称\n`,
    });
    const catalog = buildCatalog(policySet!, supergraph.version, new Date(), metadata);
    const byCoordinate = new Map(
      catalogFields(catalog).map(({ agency, field }) => [`${agency}|${field.coordinate}`, field]),
    );
    expect(byCoordinate.get('education|School.name')).toMatchObject({ nameZh: '学校名称' });
    expect(byCoordinate.get('education|School.address')).toMatchObject({ name: 'address', metadataMissing: true });
    expect(byCoordinate.get('education|School.address')?.nameZh).toBeUndefined();
    const gaps = fieldsWithoutMetadata(
      metadata,
      catalogFields(catalog).map(({ agency, field }) => ({ agency, coordinate: field.coordinate })),
    );
    expect(gaps).toContainEqual({ agency: 'education', coordinate: 'School.address' });
    expect(gaps).not.toContainEqual({ agency: 'education', coordinate: 'School.name' });
  });
});
