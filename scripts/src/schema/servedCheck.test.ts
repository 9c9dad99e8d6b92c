import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@cdo-hub/subgraph-kit';
import { awaitServed, unservedCoordinates } from './servedCheck';
import { formatCheck } from './schemaCommands';
import type { SchemaCheckReport } from './schemaCheck';

// Publishing checks the agency serves what it publishes (issue 18, item 3).

const educationSdl = readFileSync(join(repoRoot(), 'subgraphs', 'education', 'schema.graphql'), 'utf8');
const withMotto = educationSdl.replace(
  '  address: String!\n',
  '  address: String!\n  motto(language: String): String\n',
);

describe('unservedCoordinates', () => {
  it('names the fields and arguments the running subgraph does not serve', () => {
    expect(withMotto).not.toBe(educationSdl);
    expect(unservedCoordinates(withMotto, educationSdl)).toEqual(['School.motto', 'School.motto(language)']);
  });

  it('is empty when the subgraph serves the proposal, or more than it (a field being removed)', () => {
    expect(unservedCoordinates(educationSdl, educationSdl)).toEqual([]);
    expect(unservedCoordinates(educationSdl, withMotto)).toEqual([]);
  });
});

describe('awaitServed', () => {
  it('asks once without --wait and says what is missing', async () => {
    const outcome = await awaitServed({
      proposedSdl: withMotto,
      url: 'http://s',
      fetchSdl: async () => educationSdl,
      waitSeconds: 0,
    });
    expect(outcome).toEqual({
      served: false,
      polls: 1,
      reason: 'the running subgraph at http://s does not serve School.motto, School.motto(language)',
    });
  });

  it('with --wait, asks again until the new deployment serves it', async () => {
    const answers = [educationSdl, educationSdl, withMotto];
    const outcome = await awaitServed({
      proposedSdl: withMotto,
      url: 'http://s',
      fetchSdl: async () => answers.shift() ?? withMotto,
      waitSeconds: 30,
      pollMs: 1,
    });
    expect(outcome).toEqual({ served: true, polls: 3 });
  });

  it('reports a subgraph it cannot reach', async () => {
    const outcome = await awaitServed({
      proposedSdl: withMotto,
      url: 'http://s',
      fetchSdl: () => Promise.reject(new Error('connection refused')),
      waitSeconds: 0,
    });
    expect(outcome).toMatchObject({ served: false, reason: expect.stringContaining('connection refused') });
  });
});

describe("the check's last line agrees with what the command did", () => {
  const report: SchemaCheckReport = {
    agency: 'education',
    basedOn: 'abc',
    findings: [{ severity: 'error', kind: 'usage', message: 'operation X would no longer validate' }],
    broken: [],
    supergraph: { version: 'def', sdl: '' },
    errors: 1,
    warnings: 0,
  };
  it('a check says not publishable', () => {
    expect(formatCheck(report, 'f').at(-1)).toMatch(/not publishable/);
  });
  it('a rollback that went through does not', () => {
    const last = formatCheck(report, 'education v1 (rollback)', 'rolled back').at(-1)!;
    expect(last).not.toMatch(/not publishable/);
    expect(last).toMatch(/^1 error\(s\), 0 warning\(s\): rolled back over them/);
  });
});
