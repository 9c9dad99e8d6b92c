/**
 * The agencies that publish a subgraph. Adding a fourth agency starts here (see
 * docs/guides/contributors.md, "Adding an agency").
 */
export interface AgencyInfo {
  /** Workspace and subgraph name. */
  id: string;
  title: string;
  titleZh: string;
  defaultPort: number;
  /** Prefix of the agency's environment variables: `<PREFIX>_PORT`, `<PREFIX>_URL`, `<PREFIX>_DB`. */
  envPrefix: string;
}

export const AGENCIES: readonly AgencyInfo[] = [
  {
    id: 'education',
    title: 'Municipal Education Commission',
    titleZh: '北京市教育委员会',
    defaultPort: 4001,
    envPrefix: 'EDUCATION',
  },
  {
    id: 'development-reform',
    title: 'Municipal Development and Reform Commission',
    titleZh: '北京市发展和改革委员会',
    defaultPort: 4002,
    envPrefix: 'DEVELOPMENT_REFORM',
  },
  {
    id: 'science',
    title: 'Municipal Science and Technology Commission',
    titleZh: '北京市科学技术委员会',
    defaultPort: 4003,
    envPrefix: 'SCIENCE',
  },
];

export function findAgency(id: string): AgencyInfo {
  const agency = AGENCIES.find((a) => a.id === id);
  if (!agency) throw new Error(`unknown agency "${id}"; known: ${AGENCIES.map((a) => a.id).join(', ')}`);
  return agency;
}
