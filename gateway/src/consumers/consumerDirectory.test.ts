import { DEFAULT_CONSUMERS_FILE } from '../config';
import { parseYamlSource } from '../formats';
import { loadConsumerDirectory, parseConsumerDirectory } from './consumerDirectory';
import { roleBindingProblem } from './roles';

const PUBLIC = `
  - id: public
    name: The public
    kind: PUBLIC
`;
const load = (entries: string) =>
  parseConsumerDirectory(parseYamlSource(`consumers:\n${entries}${PUBLIC}`, 'consumers.yaml'));
const messages = (entries: string) =>
  load(entries).problems.map((p) => `${p.location.file}:${p.location.line}: ${p.message}`);

describe('consumer directory: roles', () => {
  it('loads the shipped consumer directory: agencies hold their own CDO role, a named CDO identity and the operators theirs', () => {
    const { directory, problems } = loadConsumerDirectory(DEFAULT_CONSUMERS_FILE);
    expect(problems).toEqual([]);
    expect(directory!.consumers.get('education')!.roles).toEqual(['cdo:education']);
    expect(directory!.consumers.get('education-cdo')).toMatchObject({
      kind: 'CDO',
      agency: 'education',
      roles: ['cdo:education'],
      purposes: [],
    });
    expect(directory!.consumers.get('hub-operations')).toMatchObject({
      kind: 'OPERATOR',
      roles: ['hub-operator'],
      purposes: [],
    });
    expect(directory!.consumers.get('city-analytics')!.roles).toEqual([]);
  });

  it("refuses to load a directory granting an agency's CDO role to another department, with the line and who may hold it", () => {
    expect(
      messages(`
  - id: city-analytics
    name: analytics
    kind: ANALYTICS_OFFICE
    purposes: [statistics]
    roles: [cdo:education]
`),
    ).toEqual([
      `consumers.yaml:7: "city-analytics" (ANALYTICS_OFFICE) may not hold cdo:education: only education's own consumer (kind AGENCY, agency education) or a named CDO identity of education (kind CDO, agency education) may`,
    ]);
    // Another agency's consumer, and a CDO identity of another agency, are refused alike.
    expect(
      messages(`
  - id: science
    name: science
    kind: AGENCY
    agency: science
    roles: [cdo:science, cdo:education]
`),
    ).toEqual([expect.stringMatching(/"science" \(AGENCY, agency science\) may not hold cdo:education/)]);
    expect(
      messages(`
  - id: science-cdo
    name: 张伟
    kind: CDO
    agency: science
    roles: [cdo:education]
`),
    ).toEqual([expect.stringMatching(/"science-cdo" \(CDO, agency science\) may not hold cdo:education/)]);
  });

  it('gives hub-operator to named operators only, and keeps CDO identities and operators from reading data', () => {
    expect(
      messages(`
  - id: education
    name: education
    kind: AGENCY
    agency: education
    roles: [hub-operator]
`),
    ).toEqual([
      expect.stringMatching(
        /"education" \(AGENCY\) may not hold hub-operator: only a named operator \(kind OPERATOR\) may/,
      ),
    ]);
    expect(
      messages(`
  - id: ops
    name: operators
    kind: OPERATOR
    purposes: [statistics]
    roles: [hub-operator]
`),
    ).toEqual([
      expect.stringMatching(/consumers.yaml:6: consumer "ops" is an OPERATOR: it states no purpose and reads no data/),
    ]);
    expect(
      messages(`
  - id: edu-cdo
    name: 王丽
    kind: CDO
    roles: [cdo:education]
`),
    ).toEqual([
      expect.stringMatching(/"edu-cdo" is a CDO identity but names no agency/),
      expect.stringMatching(/"edu-cdo" \(CDO\) may not hold cdo:education/),
    ]);
    expect(
      messages(`
  - id: ops
    name: operators
    kind: OPERATOR
    agency: education
    roles: [hub-operator]
`),
    ).toEqual([expect.stringMatching(/"ops" is an OPERATOR: it runs the hub for every agency and names none/)]);
  });

  it("knows only the hub's roles", () => {
    expect(
      messages(`
  - id: ops
    name: operators
    kind: OPERATOR
    roles: [root]
`),
    ).toEqual([expect.stringMatching(/consumers.0.roles.0: a role the hub knows: cdo:<agency> or hub-operator/)]);
    expect(roleBindingProblem({ id: 'x', kind: 'OPERATOR' }, 'admin')).toMatch(/unknown role "admin"/);
    expect(roleBindingProblem({ id: 'public', kind: 'PUBLIC' }, 'hub-operator')).toMatch(/may not hold hub-operator/);
  });
});
