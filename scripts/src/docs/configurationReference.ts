import { GATEWAY_SETTINGS } from '@cdo-hub/gateway';

interface DocumentedVariable {
  variable: string;
  default: string;
  meaning: string;
}

/**
 * Variables read outside the gateway's settings table: by the subgraphs (`subgraphs/kit`), by the
 * secrets loader (`gateway/src/identity/secrets.ts`), and families named after each subgraph.
 */
const OTHER_VARIABLES: readonly DocumentedVariable[] = [
  {
    variable: '`EDUCATION_PORT`, `DEVELOPMENT_REFORM_PORT`, `SCIENCE_PORT`',
    default: '`4001`, `4002`, `4003`',
    meaning: '(subgraphs) where each subgraph listens',
  },
  {
    variable: '`EDUCATION_URL`, `DEVELOPMENT_REFORM_URL`, `SCIENCE_URL`',
    default: "the supergraph's URLs",
    meaning: 'where the gateway calls each subgraph (`<NAME>_URL` for any subgraph)',
  },
  { variable: '`EDUCATION_DB`, …', default: '`<HUB_DATA_DIR>/<agency>.sqlite`', meaning: "one agency's database file" },
  {
    variable: '`SUBGRAPH_TIMEOUT_MS_<NAME>`',
    default: '`SUBGRAPH_TIMEOUT_MS`',
    meaning: "deadline of one subgraph's calls (`SUBGRAPH_TIMEOUT_MS_SCIENCE`, `…_DEVELOPMENT_REFORM`)",
  },
  {
    variable: '`HUB_JWT_SECRET`, `HUB_SUBGRAPH_SIGNING_KEY`, `HUB_MASK_HASH_KEY` (or `…_FILE`)',
    default: 'generated into `.hub/secrets.json` in development',
    meaning: "the hub's secrets, at least 32 characters each; required in production",
  },
  {
    variable: '`HUB_SIGNATURE_MAX_AGE_MS`',
    default: '`30000`',
    meaning:
      "(subgraphs) how old a call's signature may be, 1000–300000; each subgraph requires `HUB_SUBGRAPH_SIGNING_KEY` to start",
  },
  {
    variable: '`HUB_SUBGRAPH_SIGNING_KEY_PREVIOUS` (or `…_FILE`)',
    default: '—',
    meaning:
      '(subgraphs) the signing key before a rotation: cursors sealed under it still open; remove it `CURSOR_TTL` after the rotation',
  },
  {
    variable: '`CURSOR_TTL`',
    default: '`24h`',
    meaning:
      '(subgraphs) how long a cursor opens after it was issued, `2h`–`30d` (it must outlive any cached page, kept at most 1 h)',
  },
  {
    variable: '`HUB_CURSOR_SEALING`',
    default: '`on`',
    meaning:
      '(subgraphs) `off`: plain, readable cursors, for tests only (logged as a warning; refused with `NODE_ENV=production`)',
  },
  {
    variable: '`HUB_NONCE_REDIS_URL`',
    default: '—',
    meaning:
      "(subgraphs) keep the nonces of accepted calls in this Redis, shared by an agency's replicas (must not evict); without it each subgraph remembers its own",
  },
  {
    variable: '`HUB_GATEWAY_URL`',
    default: 'set by `hub start`',
    meaning:
      '(subgraphs) where a subgraph posts its change events (comma-separated for several gateways) when no `REDIS_URL` carries them',
  },
];

const cell = (text: string) => text.replaceAll('|', '\\|');

/** The configuration reference: the gateway's settings table, then the other variables. */
export function configurationReference(): string {
  const gatewayRows = Object.entries(GATEWAY_SETTINGS).map(
    ([name, setting]) => `| \`${name}\` | ${cell(setting.default)} | ${cell(setting.meaning)} |`,
  );
  const otherRows = OTHER_VARIABLES.map(
    (entry) => `| ${cell(entry.variable)} | ${cell(entry.default)} | ${cell(entry.meaning)} |`,
  );
  return [
    '### The gateway',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...gatewayRows,
    '',
    '### Subgraphs, secrets and per-subgraph variables',
    '',
    '| variable | default | meaning |',
    '| --- | --- | --- |',
    ...otherRows,
  ].join('\n');
}
