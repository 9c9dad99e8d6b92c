import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { readFileSync } from 'node:fs';

/**
 * Row (a) of the benchmark: `@apollo/gateway` with `@apollo/server` and nothing added — the
 * baseline every other row is a ratio to. Same supergraph file, same subgraphs.
 */
async function main(): Promise<void> {
  const supergraphSdl = readFileSync(process.env.SUPERGRAPH_FILE!, 'utf8');
  const server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl }) });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.GATEWAY_PORT), host: '127.0.0.1' } });
  process.send?.({ ready: true, url });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

void main();
