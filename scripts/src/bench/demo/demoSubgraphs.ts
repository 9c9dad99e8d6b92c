import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

/**
 * The four-subgraph demo the public GraphQL gateway benchmarks walk — accounts, products,
 * inventory (with `@requires`), reviews — written for this harness, over fixed in-memory data, so
 * that our gateway's ratio to `@apollo/gateway` can be set beside the published table. Run by the
 * benchmark as one process serving the four subgraphs on four ports (`DEMO_PORTS=a,b,c,d`).
 */

interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
}
interface Review {
  id: string;
  body: string;
  authorId: string;
  upc: string;
}

// Small, as in the public benchmark: its cost is the plan's depth and fan-out, not the data.
const USERS: User[] = Array.from({ length: 5 }, (_, i) => ({
  id: String(i + 1),
  name: `User ${i + 1}`,
  username: `user${i + 1}`,
  birthday: 1_000_000 + i * 86_400,
}));
const PRODUCTS: Product[] = Array.from({ length: 5 }, (_, i) => ({
  upc: String(i + 1),
  name: `Product ${i + 1}`,
  price: 100 + i * 37,
  weight: 50 + i * 11,
}));
const REVIEWS: Review[] = Array.from({ length: 10 }, (_, i) => ({
  id: String(i + 1),
  body: `Review ${i + 1}: ${'well made, '.repeat(1 + (i % 3))}would buy again`,
  authorId: USERS[i % USERS.length]!.id,
  upc: PRODUCTS[(i * 3) % PRODUCTS.length]!.upc,
}));
const IN_STOCK = new Set(PRODUCTS.filter((_, i) => i % 3 !== 0).map((p) => p.upc));

const FEDERATION =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides"])';

export const DEMO_SUBGRAPHS = {
  accounts: {
    sdl: `${FEDERATION}
type Query { me: User users: [User] user(id: ID!): User }
type User @key(fields: "id") { id: ID! name: String username: String @shareable birthday: Int }`,
    resolvers: {
      Query: {
        me: () => USERS[0],
        users: () => USERS,
        user: (_: unknown, { id }: { id: string }) => USERS.find((u) => u.id === id),
      },
      User: { __resolveReference: (ref: { id: string }) => USERS.find((u) => u.id === ref.id) },
    },
  },
  products: {
    sdl: `${FEDERATION}
type Query { topProducts(first: Int = 5): [Product] }
type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }`,
    resolvers: {
      Query: { topProducts: (_: unknown, { first }: { first: number }) => PRODUCTS.slice(0, first) },
      Product: { __resolveReference: (ref: { upc: string }) => PRODUCTS.find((p) => p.upc === ref.upc) },
    },
  },
  inventory: {
    sdl: `${FEDERATION}
type Product @key(fields: "upc") { upc: String! weight: Int @external price: Int @external inStock: Boolean shippingEstimate: Int @requires(fields: "price weight") }`,
    resolvers: {
      Product: {
        __resolveReference: (ref: { upc: string; price?: number; weight?: number }) => ref,
        inStock: (product: { upc: string }) => IN_STOCK.has(product.upc),
        // Free above 1000; otherwise half the weight, as the classic demo reckons it.
        shippingEstimate: (product: { price: number; weight: number }) =>
          product.price > 1000 ? 0 : Math.round(product.weight * 0.5),
      },
    },
  },
  reviews: {
    sdl: `${FEDERATION}
type Review @key(fields: "id") { id: ID! body: String author: User @provides(fields: "username") product: Product }
type User @key(fields: "id") { id: ID! username: String @external reviews: [Review] }
type Product @key(fields: "upc") { upc: String! reviews: [Review] }`,
    resolvers: {
      Review: {
        __resolveReference: (ref: { id: string }) => REVIEWS.find((r) => r.id === ref.id),
        author: (review: Review) => ({
          __typename: 'User',
          id: review.authorId,
          username: USERS.find((u) => u.id === review.authorId)?.username,
        }),
        product: (review: Review) => ({ __typename: 'Product', upc: review.upc }),
      },
      User: { reviews: (user: { id: string }) => REVIEWS.filter((r) => r.authorId === user.id) },
      Product: { reviews: (product: { upc: string }) => REVIEWS.filter((r) => r.upc === product.upc) },
    },
  },
} as const;

export type DemoSubgraphName = keyof typeof DEMO_SUBGRAPHS;
export const DEMO_SUBGRAPH_NAMES = Object.keys(DEMO_SUBGRAPHS) as DemoSubgraphName[];

/** The deeply nested query of the public benchmark: users → reviews → product → reviews → author → reviews → product, and the same from topProducts. */
export const DEMO_QUERY = `
fragment DemoUser on User { id username name }
fragment DemoReview on Review { id body }
fragment DemoProduct on Product { inStock name price shippingEstimate upc weight }
query DemoQuery {
  users { ...DemoUser reviews { ...DemoReview product { ...DemoProduct reviews { ...DemoReview author { ...DemoUser reviews { ...DemoReview product { ...DemoProduct } } } } } } }
  topProducts { ...DemoProduct reviews { ...DemoReview author { ...DemoUser reviews { ...DemoReview product { ...DemoProduct } } } } }
}`;

async function main(): Promise<void> {
  const ports = (process.env.DEMO_PORTS ?? '').split(',').map(Number);
  if (ports.length !== DEMO_SUBGRAPH_NAMES.length || ports.some((p) => !Number.isInteger(p) || p <= 0))
    throw new Error('DEMO_PORTS must list four ports');
  const servers = await Promise.all(
    DEMO_SUBGRAPH_NAMES.map(async (name, i) => {
      const { sdl, resolvers } = DEMO_SUBGRAPHS[name];
      const server = new ApolloServer({
        schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }),
      });
      await startStandaloneServer(server, { listen: { port: ports[i]!, host: '127.0.0.1' } });
      return server;
    }),
  );
  process.send?.({ ready: true });
  const stop = () => void Promise.all(servers.map((s) => s.stop())).then(() => process.exit(0));
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) void main();
