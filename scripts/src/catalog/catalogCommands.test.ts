import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CATALOG_DIR, DEFAULT_SUPERGRAPH_FILE } from '@cdo-hub/gateway';
import { checkCatalog, formatCatalogCheck } from './catalogCommands';

const HERMETIC = { SUPERGRAPH_FILE: DEFAULT_SUPERGRAPH_FILE };

describe('hub catalog check', () => {
  it('passes the shipped metadata: every field named', async () => {
    const report = await checkCatalog(HERMETIC);
    expect(report).toMatchObject({ problems: [], unnamed: [] });
    expect(formatCatalogCheck(report)).toMatch(/^catalog OK: all \d{3} fields named/);
  });

  it('reports a field left out and a misspelt one, with file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    try {
      cpSync(DEFAULT_CATALOG_DIR, dir, { recursive: true });
      const file = join(dir, 'science.yaml');
      const text = readFileSync(file, 'utf8');
      const line = text.split('\n').findIndex((l) => l.startsWith('      revenue:')) + 1;
      writeFileSync(file, text.replace(/\n {6}rdExpenseRatio:[^\n]*/, '').replace('      revenue:', '      revenu:'));
      const output = formatCatalogCheck(await checkCatalog({ ...HERMETIC, CATALOG_DIR: dir }));
      expect(output).toMatch(
        new RegExp(
          `science\\.yaml:${line - 1}: error: unknown field "HighTechEnterprise\\.revenu"\n    hint: did you mean "HighTechEnterprise\\.revenue"\\?`,
        ),
      );
      // A file with an error names nothing: every science field is reported unnamed.
      expect(output).toMatch(/schema\/catalog\/science\.yaml: 41 field\(s\) without metadata/);
      expect(output).toMatch(/1 problem\(s\), 41 of \d+ field\(s\) without metadata$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
