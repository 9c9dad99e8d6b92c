import { signedSubgraphHeaders } from '@cdo-hub/gateway/signing';

/**
 * Asks an agency's subgraph directly (a signed call, as the gateway makes it) for one page of
 * schools and reads the cursor: `plain` when the last school's code can be read out of it (as is,
 * or base64/base64url/hex-decoded), `sealed` when it cannot. Tells the self-check whether a
 * subgraph seals its cursors and whether it honours HUB_CURSOR_SEALING=off.
 */
export async function probeCursorForm(
  subgraphUrl: string,
  signingKey: string,
): Promise<{ form: 'plain' | 'sealed'; cursor: string } | { form: 'unknown'; reason: string }> {
  const query = '{ schools(first: 1) { nodes { code } pageInfo { endCursor } } }';
  try {
    const response = await fetch(subgraphUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signedSubgraphHeaders(
          signingKey,
          'education',
          { query },
          { consumer: 'education', agency: 'education', requestId: 'canary-cursor-probe' },
        ),
      },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as {
      data?: { schools?: { nodes: { code: string }[]; pageInfo: { endCursor: string | null } } };
    };
    const code = body.data?.schools?.nodes[0]?.code;
    const cursor = body.data?.schools?.pageInfo.endCursor;
    if (!code || !cursor)
      return { form: 'unknown', reason: `no school or cursor in ${JSON.stringify(body).slice(0, 300)}` };
    const readings = [
      cursor,
      Buffer.from(cursor, 'base64url').toString('utf8'),
      Buffer.from(cursor, 'base64').toString('utf8'),
      /^[0-9a-f]+$/i.test(cursor) ? Buffer.from(cursor, 'hex').toString('utf8') : '',
    ];
    return { form: readings.some((text) => text.includes(code)) ? 'plain' : 'sealed', cursor };
  } catch (error) {
    return { form: 'unknown', reason: String(error) };
  }
}
