import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgencyProcess } from '../harness/agencyProcess';
import {
  CanaryHub,
  channelKind,
  connectionPaths,
  formatFindings,
  probeCursorForm,
  seedSmallDatasets,
  walkConnection,
  walkRoots,
} from '../harness/canary';
import { freePort } from '../harness/freePort';
import { TEST_SECRETS } from '../harness/hubProcess';

// The canary oracle's self-check: with cursor sealing switched off (HUB_CURSOR_SEALING=off passed
// to the subgraphs, which then issue plain keyset cursors), the same walk canary.test.ts makes must
// find canaries in cursors — the roster's sort key (student number = G + ID number, or the surrogate
// roster key) is personal data. It fails unless a default subgraph seals its cursors and the
// switch really turns sealing off: either way round, it would otherwise prove nothing.

const SWITCH = 'HUB_CURSOR_SEALING';
let applicable: string | true = 'not probed';

beforeAll(async () => {
  // Does a subgraph started as by default seal its cursors?
  delete process.env[SWITCH];
  const dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-canary-probe-'));
  try {
    await seedSmallDatasets(dataDir);
    const education = await AgencyProcess.start('education', await freePort(), dataDir);
    try {
      const probe = await probeCursorForm(education.url, TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY);
      applicable =
        probe.form === 'sealed'
          ? true
          : probe.form === 'plain'
            ? `cursor sealing is not implemented on this branch (a default education subgraph issues a plain cursor: ${probe.cursor})`
            : `could not read a cursor: ${'reason' in probe ? probe.reason : ''}`;
    } finally {
      await education.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);

it(`finds canaries in cursors when the subgraphs run with ${SWITCH}=off (and that sealing is on without it)`, async () => {
  // Sealing is on main: a default subgraph must seal, or this check proves nothing.
  expect(applicable).toBe(true);
  const hub = await CanaryHub.start({ env: { [SWITCH]: 'off' } });
  try {
    const probe = await probeCursorForm(
      `http://127.0.0.1:${hub.hub.ports['education']}/graphql`,
      TEST_SECRETS.HUB_SUBGRAPH_SIGNING_KEY,
    );
    // The switch must really give plain cursors, or the oracle is not being tested.
    expect(probe.form).toBe('plain');
    // The rosters are what a plain cursor leaks: walk School.students as each view that holds a roster grant.
    const paths = connectionPaths(hub.schema, walkRoots(hub.hub), { maxDepth: 3, pathsPerConnection: 4 }).filter(
      (p) => p.coordinate === 'School.students',
    );
    for (const view of hub.views)
      for (const path of paths) await walkConnection(hub, view, path, { pages: 3, parentFirst: 8, first: 3 });
    const inCursors = hub.findings.filter((f) => channelKind(f.channel).startsWith('cursor'));
    console.log(`canary self-check with ${SWITCH}=off:\n${formatFindings(inCursors, 4)}`);
    expect(inCursors.length).toBeGreaterThan(0);
    expect(new Set(inCursors.map((f) => f.view))).toEqual(
      new Set(['city-analytics/statistics', 'district-haidian/enrollment-planning']),
    );
  } finally {
    await hub.stop();
  }
}, 300_000);
