import { as, HubProcess } from '../harness/hubProcess';
let hub: HubProcess;
beforeAll(async () => { hub = await HubProcess.start(); }, 120_000);
afterAll(async () => { await hub?.stop(); });
it('probe', async () => {
  const h = await as('city-analytics', 'statistics');
  for (const q of [
    '{ schools(first: 1, after: "garbage") { nodes { code } } }',
    '{ schools(first: 1) { nodes { students(first: 1, after: "garbage") { nodes { grade } } } } }',
    '{ schools(first: 2) { nodes { students(first: 2) { pageInfo { endCursor } } } } }',
  ]) {
    const r = await hub.query(q, {}, h);
    console.log(q, r.status, JSON.stringify(r.body).slice(0, 600));
  }
});
