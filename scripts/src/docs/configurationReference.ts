import { TRACING_VARIABLES } from '@cdo-hub/contracts';
import { GATEWAY_SETTINGS } from '@cdo-hub/gateway/config';
import { SECRET_VARIABLES } from '@cdo-hub/gateway/identity';
import { AGENCIES } from '@cdo-hub/subgraph-kit/agencies';
import { AGENCY_SETTINGS, SUBGRAPH_SETTINGS, type SubgraphSetting } from '@cdo-hub/subgraph-kit/settings';

interface DocumentedVariable {
  variable: string;
  default: string;
  meaning: string;
}

/**
 * Variables the gateway reads outside its settings table: the per-subgraph deadlines, then the
 * secrets as their loader declares them (`SECRET_VARIABLES`, `gateway/src/identity/secrets.ts`).
 * The subgraphs' variables are declared in the kit (`SUBGRAPH_SETTINGS`, `AGENCY_SETTINGS`) and
 * listed from there.
 */
const OTHER_GATEWAY_VARIABLES: readonly DocumentedVariable[] = [
  {
    variable: '`SUBGRAPH_TIMEOUT_MS_<NAME>`',
    default: '`SUBGRAPH_TIMEOUT_MS`',
    meaning: "deadline of one subgraph's calls (`SUBGRAPH_TIMEOUT_MS_SCIENCE`, `…_DEVELOPMENT_REFORM`)",
  },
  ...SECRET_VARIABLES,
];

const cell = (text: string) => text.replaceAll('|', '\\|');

const row = (entry: DocumentedVariable) =>
  `| ${cell(entry.variable)} | ${cell(entry.default)} | ${cell(entry.meaning)} |`;
const code = (name: string) => `\`${name}\``;

/** The subgraphs' variables, as the kit declares them: the fixed names, then one family per agency. */
function subgraphVariables(): DocumentedVariable[] {
  const fixed = Object.entries(SUBGRAPH_SETTINGS as Record<string, SubgraphSetting>).map(([name, setting]) => ({
    variable: `${code(name)}${setting.fromFile ? ' (or `…_FILE`)' : ''}`,
    default: setting.default,
    meaning: setting.meaning,
  }));
  const perAgency = Object.values(AGENCY_SETTINGS).map((setting) => ({
    variable: AGENCIES.map((agency) => code(`${agency.envPrefix}_${setting.suffix}`)).join(', '),
    default: [...new Set(AGENCIES.map((agency) => setting.default(agency)))].join(', '),
    meaning: setting.meaning,
  }));
  return [...perAgency, ...fixed];
}

/**
 * The configuration reference: the gateway's settings table, the subgraphs', the gateway's other
 * variables, then the OpenTelemetry variables both read (declared in @cdo-hub/contracts).
 */
export function configurationReference(): string {
  const gatewayRows = Object.entries(GATEWAY_SETTINGS).map(
    ([name, setting]) => `| \`${name}\` | ${cell(setting.default)} | ${cell(setting.meaning)} |`,
  );
  const header = ['| variable | default | meaning |', '| --- | --- | --- |'];
  return [
    '### The gateway',
    '',
    ...header,
    ...gatewayRows,
    '',
    '### The subgraphs',
    '',
    "Read by every agency's subgraph process (`subgraphs/kit`, `SUBGRAPH_SETTINGS` and `AGENCY_SETTINGS`).",
    '',
    ...header,
    ...subgraphVariables().map(row),
    '',
    '### Secrets and per-subgraph gateway variables',
    '',
    ...header,
    ...OTHER_GATEWAY_VARIABLES.map(row),
    '',
    '### Tracing (the gateway and every subgraph)',
    '',
    "The standard OpenTelemetry variables, read by the gateway and by each agency's subgraph ([tracing](../operations/tracing.md)).",
    '',
    ...header,
    ...TRACING_VARIABLES.map(row),
  ].join('\n');
}
