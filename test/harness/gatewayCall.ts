/** What a gateway answered on one of its HTTP routes: the body parsed when it is JSON, and its text. */
export interface GatewayAnswer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

/**
 * One call to a route of a running gateway other than GraphQL (the admin API under `/admin/…`,
 * `/metrics`, `/readyz`, the playground), as the bearer of `token` (none: anonymous). `gateway` is
 * its GraphQL URL or its origin; a body is sent as JSON. A body that is not JSON comes back
 * `undefined`, with its text, so a test can assert on what a route answered whatever it was.
 */
export async function callGateway(
  gateway: string,
  method: 'GET' | 'POST',
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<GatewayAnswer> {
  const response = await fetch(new URL(path, gateway), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}
