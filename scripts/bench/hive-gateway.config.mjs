// Row (b) of `npm run bench`: Hive Gateway's config (`hive-gateway supergraph … --config-path`).
// One plugin, nothing else: every subgraph fetch carries the hub's signature, as row (a)'s
// `willSendRequest` and the gateway's own fetches do, since the agencies' subgraphs refuse
// unsigned calls. Signed per fetch (a signature is good for one call) over the query and
// variables actually sent, which is what the subgraph digests after parsing the body.
// A default import: the signing module is CommonJS, whose named exports Node cannot detect here.
import signing from '@cdo-hub/gateway/signing';
import { readFileSync } from 'node:fs';

const signingKey = process.env.HUB_SUBGRAPH_SIGNING_KEY;
if (!signingKey) throw new Error('row (b) needs HUB_SUBGRAPH_SIGNING_KEY to sign its subgraph calls');

// A signature names the subgraph it is for: the supergraph says which subgraph each URL is.
const supergraph = readFileSync(process.env.BENCH_SUPERGRAPH_FILE ?? '', 'utf8');
const subgraphAt = new Map(
  [...supergraph.matchAll(/@join__graph\(name: "([^"]+)", url: "([^"]+)"\)/g)].map(([, name, url]) => [
    new URL(url).host,
    name,
  ]),
);

/** The query and variables of a subgraph fetch: a JSON body (POST) or the query string (GET). */
function signedPartsOf(url, body) {
  if (typeof body === 'string') return JSON.parse(body);
  const params = new URL(url).searchParams;
  const variables = params.get('variables');
  return { query: params.get('query') ?? undefined, variables: variables ? JSON.parse(variables) : undefined };
}

export const gatewayConfig = {
  plugins: () => [
    {
      onFetch({ url, options, setOptions }) {
        const signed = signing.signedSubgraphHeaders(
          signingKey,
          subgraphAt.get(new URL(url).host) ?? '',
          signedPartsOf(url, options.body),
        );
        setOptions({ ...options, headers: { ...options.headers, ...signed } });
      },
    },
  ],
};
