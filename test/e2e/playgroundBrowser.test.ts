import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// The playground's identity bar and its CSV download, in a real browser: nothing is chosen while
// signed out, a consumer's purposes are its registered ones, an example tab names the identity it
// was written for and switches to it, and "Download CSV" saves the current tab's answer as the
// gateway's table — checked cell by cell against the JSON answer for the same consumer.

const ARTIFACTS = join(__dirname, '..', 'artifacts');
const SCHOOLS = 'query SchoolList { schools(first: 4) { nodes { code name type district { name } } } }';

let hub: ReadOnlyHub;
let browser: Browser;
let origin: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  hub = await readOnlyHub();
  origin = new URL(hub.gatewayUrl).origin;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.release();
});

async function openPlayground(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  await page.goto(`${origin}/playground`);
  await page.waitForSelector('.graphiql-container');
  return page;
}

it('chooses nothing while signed out and offers a consumer only its registered purposes', async () => {
  const page = await openPlayground();
  expect(await page.locator('select[name=consumer]').inputValue()).toBe('');
  await page.getByText('not signed in').waitFor();
  // Signing in without a consumer says what is missing.
  await page.click('button[type=submit]');
  await page.getByText('choose a consumer, or paste a token').waitFor();
  await page.selectOption('select[name=consumer]', 'science');
  expect(await page.locator('select[name=purpose] option').allInnerTexts()).toEqual(['industrial-policy']);
  // Another consumer: its own purposes, and the previous consumer's purpose is gone.
  await page.selectOption('select[name=consumer]', 'district-haidian');
  expect(await page.locator('select[name=purpose] option').allInnerTexts()).toEqual([
    'enrollment-planning',
    'planning',
  ]);
  expect(await page.locator('select[name=purpose]').inputValue()).toBe('enrollment-planning');
  await page.click('button[type=submit]');
  await page.getByText('asking as district-haidian for enrollment-planning').waitFor();
  await page.close();
});

it('names the identity an example was written for, and switches to it', async () => {
  const page = await openPlayground();
  await page.locator('.graphiql-tab', { hasText: 'DistrictTotals' }).click();
  const note = page.getByRole('note', { name: 'Written for' });
  await note.waitFor();
  expect(await note.innerText()).toMatch(/written for city-analytics asking for statistics/);
  await note.getByRole('button', { name: 'Ask as city-analytics' }).click();
  await page.getByText('asking as city-analytics for statistics').waitFor();
  await note.waitFor({ state: 'detached' });
  // Another example tab: another identity.
  await page.locator('.graphiql-tab', { hasText: 'SchoolConstructionProject' }).click();
  await page
    .getByRole('note', { name: 'Written for' })
    .getByRole('button', { name: 'Ask as district-haidian' })
    .waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'playground-example-identity.png') });
  await page.close();
});

it('downloads the current tab’s answer as CSV, cell by cell the JSON answer', async () => {
  const page = await openPlayground();
  await page.selectOption('select[name=consumer]', 'city-analytics');
  await page.click('button[type=submit]');
  await page.getByText('asking as city-analytics for statistics').waitFor();
  // A new tab with the operation typed in as text (no editor auto-closing brackets).
  await page.click('.graphiql-tab-add');
  await page.click('.graphiql-query-editor .monaco-editor');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(SCHOOLS);
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 15_000 }).catch(async (error: Error) => {
      await page.screenshot({ path: join(ARTIFACTS, 'playground-csv-failed.png') });
      const problem = await page.locator('.hub-problem').allInnerTexts();
      throw new Error(`${error.message}; the page says: ${problem.join(' ') || '(nothing)'}`);
    }),
    page.click('[aria-label="Download CSV"]'),
  ]);
  expect(download.suggestedFilename()).toBe('SchoolList.csv');
  const csv = readFileSync((await download.path())!, 'utf8');
  await page.screenshot({ path: join(ARTIFACTS, 'playground-csv.png') });
  await page.close();

  const token = (await (await fetch(`${origin}/playground/dev-token?consumer=city-analytics`)).json()) as {
    token: string;
  };
  const json = (await (
    await fetch(hub.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token.token}`,
        'x-data-purpose': 'statistics',
      },
      body: JSON.stringify({ query: SCHOOLS.replace('first: 4', 'first: 100') }),
    })
  ).json()) as {
    data: { schools: { nodes: { code: string; name: string; type: string; district: { name: string } | null }[] } };
  };
  // The export is the whole connection (the gateway pages it), in the JSON answer's order.
  const lines = csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);
  expect(lines[0]).toBe('code,name,type,district.name');
  expect(lines.slice(1)).toEqual(
    json.data.schools.nodes.map((n) => [n.code, n.name, n.type, n.district?.name ?? ''].join(',')),
  );
});
