import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { HubProcess, tokenFor } from '../harness/hubProcess';

// The catalog as the city's analysts read it, in a real browser: Chinese first, a search in
// Chinese, a phone's 390 px screen with nothing running off its side, English when the browser
// prefers it, and a grant request filed from a field's row with the reader's own token. No request
// leaves the host. Screenshots go to test/artifacts/.

const ARTIFACTS = join(__dirname, '..', 'artifacts');

let hub: HubProcess;
let browser: Browser;
let origin: string;
let grantDir: string;
const outside: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  grantDir = mkdtempSync(join(tmpdir(), 'grants-catalog-browser-'));
  hub = await HubProcess.start({ env: { GRANT_STORE_DIR: grantDir } });
  origin = new URL(hub.gatewayUrl).origin;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  rmSync(grantDir, { recursive: true, force: true });
});

const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});

async function open(path: string, options: Parameters<Browser['newContext']>[0] = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'zh-CN', ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  await page.goto(`${origin}${path}`);
  return page;
}

const visibleRowIds = (page: Page) =>
  page.locator('tr[data-search]:visible').evaluateAll((rows) => rows.map((row) => row.id));

it('finds the guardian fields by a Chinese search, with their Chinese names and classes', async () => {
  const page = await open('/catalog');
  expect(await page.locator('h1').innerText()).toBe('数据资源目录');
  await page.fill('#catalog-search', '监护人');
  expect(await visibleRowIds(page)).toEqual(['Student.guardianName', 'Student.guardianPhone']);
  expect(await page.locator('#catalog-count').innerText()).toMatch(/^\d+ 个数据项中有 2 个匹配$/);
  const row = page.locator('tr[id="Student.guardianPhone"]');
  expect(await row.innerText()).toMatch(/监护人联系电话[\s\S]*guardianPhone[\s\S]*不予共享[\s\S]*L4[\s\S]*学籍管理科/);
  await page.screenshot({ path: join(ARTIFACTS, 'catalog-zh-search.png') });

  // The same search from the address bar is applied by the server, before any script runs.
  const linked = await open(`/catalog?q=${encodeURIComponent('监护人 电话')}`, { javaScriptEnabled: false });
  expect(await visibleRowIds(linked)).toEqual(['Student.guardianPhone']);
  const json = await (await fetch(`${origin}/catalog.json?q=${encodeURIComponent('监护人')}`)).json();
  expect(json).toMatchObject({ lang: 'zh-CN', fieldCount: 2 });
});

it('fits a 390 px phone screen: every row a card, nothing wider than the screen', async () => {
  const page = await open('/catalog', {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  const overflow = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wider = Array.from(document.querySelectorAll('body *'))
      .filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
      })
      .slice(0, 5)
      .map(
        (element) =>
          `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''} ${element.textContent?.slice(0, 40)}`,
      );
    return { width, scrollWidth: document.documentElement.scrollWidth, wider };
  });
  expect(overflow.width).toBe(390);
  expect(overflow.wider).toEqual([]);
  expect(overflow.scrollWidth).toBeLessThanOrEqual(390);
  // The table became cards: the header row is out of sight, the cells stack, each names its column.
  expect((await page.locator('thead').first().boundingBox())!.height).toBeLessThanOrEqual(1);
  await page.fill('#catalog-search', '监护人联系电话');
  const cells = await page
    .locator('tr[id="Student.guardianPhone"] td:visible')
    .evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect()).map((box) => ({ left: box.left, top: box.top })));
  expect(cells.length).toBeGreaterThan(4);
  expect(new Set(cells.map((c) => Math.round(c.left))).size).toBe(1);
  expect(cells.map((c) => c.top)).toEqual([...cells.map((c) => c.top)].sort((a, b) => a - b));
  await page.screenshot({ path: join(ARTIFACTS, 'catalog-phone.png'), fullPage: true });
  expect(await page.locator('tr[id="Student.guardianPhone"] td[data-label="共享属性"]').innerText()).toMatch(
    /不予共享/,
  );
});

it('answers in English when the browser prefers it, and switches language on request', async () => {
  const page = await open('/catalog', { locale: 'en-US' });
  expect(await page.locator('h1').innerText()).toBe('Data catalog');
  expect(await page.locator('tr[id="Student.guardianPhone"] .class').innerText()).toBe('not shared');
  await page.click('nav.language a');
  await page.locator('h1', { hasText: '数据资源目录' }).waitFor();
  expect(page.url()).toBe(`${origin}/catalog?lang=zh-CN`);
});

it('files a grant request for a field from its row, with the token kept in this tab only', async () => {
  const page = await open('/catalog?q=HighTechEnterprise.revenue');
  await page.locator('tr[id="HighTechEnterprise.revenue"] button.request').click();
  const dialog = page.locator('#request-dialog');
  await dialog.waitFor();
  expect(await page.locator('#request-coordinate').innerText()).toBe('HighTechEnterprise.revenue');
  await page.fill('#request-token', await tokenFor('district-haidian'));
  await page.fill('#request-purpose', 'planning');
  await page.fill('#request-reason', '区创新规划需要企业营收分档');
  await page.click('#request-send');
  const outcome = page.locator('#request-outcome');
  await outcome.filter({ hasText: /已提交申请 REQ-\d{4}-\d{4}/ }).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'catalog-request-access.png') });

  // Filed through the admin API, as the reader, for exactly that field and purpose.
  const response = await fetch(`${origin}/admin/grant-requests`, {
    headers: { authorization: `Bearer ${await tokenFor('district-haidian')}` },
  });
  const { requests } = (await response.json()) as { requests: any[] };
  expect(requests).toEqual([
    expect.objectContaining({
      id: (await outcome.innerText()).match(/REQ-\d{4}-\d{4}/)![0],
      agency: 'science',
      consumer: 'district-haidian',
      fields: ['HighTechEnterprise.revenue'],
      purpose: 'planning',
      reason: '区创新规划需要企业营收分档',
      status: 'pending',
    }),
  ]);
  // Session storage only: no cookie a cross-site page could ride on.
  expect(await page.context().cookies()).toEqual([]);
  expect(await page.evaluate(() => sessionStorage.getItem('cdo-hub.token'))).toMatch(/^ey/);
  expect(await page.locator('#signed-in').isVisible()).toBe(true);
});

it('made no request outside the host', () => {
  expect(outside).toEqual([]);
});
