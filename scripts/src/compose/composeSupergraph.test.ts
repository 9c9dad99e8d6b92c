import { readFileSync } from 'node:fs';
import { agencySubgraphSources, composeSupergraph, SUPERGRAPH_FILE } from './composeSupergraph';

describe('supergraph composition', () => {
  it('the committed schema/supergraph.graphql is what the agency SDLs compose to', () => {
    const result = composeSupergraph(agencySubgraphSources());
    if (!result.ok) throw new Error(result.errors.join('\n'));
    // Stale? Run `npm run hub -- compose`.
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(result.supergraphSdl);
  });

  it('reports composition errors instead of writing a broken supergraph', () => {
    const sources = agencySubgraphSources();
    const clash = {
      name: 'rogue',
      url: 'http://127.0.0.1:4999/graphql',
      sdl: `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
            type School @key(fields: "code") { code: ID! name: Int }
            type Query { rogue: School }`,
    };
    const result = composeSupergraph([...sources, clash]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join('\n')).toMatch(/School\.name/);
  });
});
