import { hubCliOk } from './hubCli';

/**
 * The cache rules the cache tests run with (`CACHE_RULES_FILE`): short TTLs where a test waits
 * for expiry (price observations), none for NOT_SHARED data or L4 fields.
 */
export const CACHE_TEST_RULES = `defaultTtl: 60s
types:
  District: 5m
  PriceObservation: 1s
caps:
  classes: { UNCONDITIONAL: 10m, CONDITIONAL: 30s, NOT_SHARED: 0s }
  levels: { L4: 0s }
`;

/**
 * A grant in the store, as an agency's CDO gives one: `hub grant request` for the consumer, then
 * `hub grant approve` (with a mask, if named), against the hub whose stores `env` names.
 */
export async function grantThroughCli(
  env: NodeJS.ProcessEnv,
  grant: { consumer: string; fields: string; purpose: string; reason: string; mask?: string },
): Promise<void> {
  const cli = (...args: string[]) => hubCliOk(args, env);
  const { stdout } = await cli(
    'grant',
    'request',
    '--consumer',
    grant.consumer,
    '--fields',
    grant.fields,
    '--purpose',
    grant.purpose,
    '--reason',
    grant.reason,
    '--until',
    '2027-12-31',
  );
  const requestId = stdout.match(/REQ-\d{4}-\d{4}/)![0];
  await cli('grant', 'approve', requestId, '--by', 'test CDO', ...(grant.mask ? ['--mask', grant.mask] : []));
}
