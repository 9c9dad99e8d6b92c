import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { AGENCY_PACKAGES } from '../agencies';

const run = promisify(execFile);
const codegenBin = join(repoRoot(), 'node_modules', '@graphql-codegen', 'cli', 'cjs', 'bin.js');

// Resolver types are generated from each agency's SDL and committed. The generator's own
// `--check` regenerates them in memory and exits 1 when a committed file differs — stale or
// edited by hand (fix with `npm run codegen`).
describe.each(AGENCY_PACKAGES.map((agency) => [agency.id]))('generated resolver types of %s', (id) => {
  it('match a fresh generation from schema.graphql', async () => {
    const cwd = join(repoRoot(), 'subgraphs', id);
    const result = await run(process.execPath, [codegenBin, '--config', 'codegen.ts', '--check'], { cwd }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect({ exitCode: 'code' in result ? result.code : 0, output: result.stdout + result.stderr }).toEqual({
      exitCode: 0,
      output: expect.not.stringContaining('stale'),
    });
  });
});
