import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { signedSubgraphHeaders } from '@cdo-hub/gateway/signing';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';

/**
 * Row (a) of the benchmark: `@apollo/gateway` with `@apollo/server` and nothing added — the
 * baseline every other row is a ratio to. Same supergraph file, same subgraphs. Its fetches carry
 * the hub's signature (nothing else), since the agencies' subgraphs refuse unsigned calls.
 */
async function main(): Promise<void> {
  const supergraphSdl = readFileSync(process.env.SUPERGRAPH_FILE!, 'utf8');
  const key = process.env.HUB_SUBGRAPH_SIGNING_KEY!;
  const buildService = ({ name: subgraph, url }: { name: string; url?: string }) =>
    new RemoteGraphQLDataSource({
      ...(url ? { url } : {}),
      willSendRequest: ({ request }) => {
        for (const [name, value] of Object.entries(signedSubgraphHeaders(key, subgraph, request)))
          request.http?.headers.set(name, value);
      },
    });
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl, buildService }) });
  const { url } = await startStandaloneServer(server, {
    listen: { port: Number(process.env.GATEWAY_PORT), host: '127.0.0.1' },
  });
  process.send?.({ ready: true, url });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

void main();
