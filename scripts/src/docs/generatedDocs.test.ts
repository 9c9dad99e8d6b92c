import { ERROR_CATALOGUE } from '@cdo-hub/gateway/errors';
import { GATEWAY_SETTINGS } from '@cdo-hub/gateway';
import { AGENCIES, AGENCY_SETTINGS, SUBGRAPH_SETTINGS } from '@cdo-hub/subgraph-kit';
import { program } from '../cli';
import { configurationReference } from './configurationReference';
import { cliReference } from './cliReference';
import { errorCodeTable } from './errorReference';
import { updateGeneratedDocs } from './generatedDocs';

describe('generated docs', () => {
  it('are up to date with the error catalogue, the CLI and the settings (`npm run hub -- docs` regenerates them)', () => {
    expect(updateGeneratedDocs({ program, check: true }).stale).toEqual([]);
  });

  it('list every catalogued code', () => {
    const table = errorCodeTable();
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(table).toContain(`\`${code}\``);
  });

  it('list every environment variable the gateway reads', () => {
    const reference = configurationReference();
    for (const variable of Object.keys(GATEWAY_SETTINGS)) expect(reference).toContain(`| \`${variable}\` |`);
  });

  it('list every environment variable the subgraphs read, as the kit declares them', () => {
    const reference = configurationReference();
    for (const variable of Object.keys(SUBGRAPH_SETTINGS)) expect(reference).toContain(`| \`${variable}\``);
    for (const { suffix } of Object.values(AGENCY_SETTINGS))
      for (const { envPrefix } of AGENCIES) expect(reference).toContain(`\`${envPrefix}_${suffix}\``);
  });

  it('list every command and option of the CLI', () => {
    const reference = cliReference(program);
    for (const command of ['hub token', 'hub audit verify', 'hub schema publish', 'hub docs'])
      expect(reference).toContain(`### \`${command}`);
    expect(reference).toContain('`--witness-redis-url <url>`');
  });
});
