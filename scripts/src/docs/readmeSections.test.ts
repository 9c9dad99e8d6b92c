import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE } from '@cdo-hub/gateway/errors';
import { errorCodeTable, README_FILE, renderSections } from './readmeSections';

describe('README generated sections', () => {
  it('are up to date with the error catalogue (`npm run hub -- docs` regenerates them)', () => {
    const readme = readFileSync(README_FILE, 'utf8');
    expect(renderSections(readme)).toBe(readme);
  });

  it('list every catalogued code', () => {
    const table = errorCodeTable();
    for (const code of Object.keys(ERROR_CATALOGUE)) expect(table).toContain(`\`${code}\``);
  });
});
