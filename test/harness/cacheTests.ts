import { callGateway } from './gatewayCall';
import { tokenFor } from './hubProcess';

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
 * A grant in the store, as the consumer and an agency's CDO give one over the gateway's admin API:
 * the consumer files the request, the CDO approves it (with a mask, if named); the gateway that
 * answered applies the store before it replies. The CLI's way to the same store (`hub grant
 * request|approve`) is the grant workflow tests' subject; here a grant is only the cache tests' setup.
 */
export async function grantThroughAdminApi(
  gatewayUrl: string,
  grant: {
    consumer: string;
    agency: string;
    fields: string[];
    purpose: string;
    reason: string;
    masks?: Record<string, string>;
  },
): Promise<void> {
  const filed = await callGateway(gatewayUrl, 'POST', '/admin/grant-requests', await tokenFor(grant.consumer), {
    fields: grant.fields,
    purpose: grant.purpose,
    reason: grant.reason,
    until: '2027-12-31',
  });
  if (filed.status !== 201) throw new Error(`filing the grant request answered ${filed.status}: ${filed.text}`);
  const cdo = await tokenFor(grant.agency, undefined, [`cdo:${grant.agency}`]);
  const approved = await callGateway(
    gatewayUrl,
    'POST',
    `/admin/grant-requests/${filed.body.request.id}/approve`,
    cdo,
    {
      by: 'test CDO',
      ...(grant.masks ? { masks: grant.masks } : {}),
    },
  );
  if (approved.status !== 200)
    throw new Error(`approving the grant request answered ${approved.status}: ${approved.text}`);
}
