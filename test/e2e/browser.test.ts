import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { readOnlyHub, type ReadOnlyHub } from '../harness/sharedHub';

// The analysts' pages in a real browser (the system's Chromium, or the one shipped in an npm
// package when the system has none; driven by playwright-core): the
// playground answers a cross-agency question as the consumer and purpose the analyst chose, its
// docs explorer shows only that consumer's own schema, the catalog finds a field by search — and
// no request leaves the host. Screenshots go to test/artifacts/.

const ARTIFACTS = join(__dirname, '..', 'artifacts');

describe('playground and catalog in a browser', () => {
  let hub: ReadOnlyHub;
  let browser: Browser;
  let origin: string;
  const outside: string[] = [];

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

  const open = async (path: string): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    await page.goto(`${origin}${path}`);
    return page;
  };
  const signIn = async (page: Page, consumer: string, purpose: string) => {
    await page.selectOption('select[name=consumer]', consumer);
    // A development consumer's purposes are its registered ones, offered as a list.
    await page.selectOption('select[name=purpose]', purpose);
    await page.click('button[type=submit]');
    await page.getByText(`asking as ${consumer} for ${purpose}`).waitFor();
  };

  it('answers a cross-agency question as the chosen consumer and purpose', async () => {
    const page = await open('/');
    expect(page.url()).toBe(`${origin}/playground`);
    await page.waitForSelector('.graphiql-container');
    // The four cross-agency examples are open as tabs.
    await page.locator('.graphiql-tab', { hasText: 'DistrictTotals' }).waitFor();
    expect(await page.locator('.graphiql-tab').count()).toBe(4);
    await signIn(page, 'city-analytics', 'statistics');
    await page.locator('.graphiql-tab', { hasText: 'DistrictTotals' }).click();
    await page.click('.graphiql-execute-button');
    const response = page.locator('.graphiql-response');
    await page
      .waitForFunction(() => document.querySelector('.graphiql-response')?.textContent?.includes('schoolCount'), null, {
        timeout: 20_000,
      })
      .catch(async (error: Error) => {
        await page.screenshot({ path: join(ARTIFACTS, 'playground-failed.png') });
        throw error;
      });
    const text = await response.innerText();
    expect(text).toMatch(/"districts"/);
    expect(text).toMatch(/"technologyContractAmount"/);
    expect(text).not.toMatch(/"errors"/);
    await page.screenshot({ path: join(ARTIFACTS, 'playground.png') });

    // A withheld field reads as such: the summary names the code and the reason.
    await signIn(page, 'district-haidian', 'planning');
    await page.locator('.graphiql-tab', { hasText: 'UniversityContractsAndGrants' }).click();
    await page.click('.graphiql-execute-button');
    const withheld = page.getByRole('region', { name: 'Withheld in the last answer' });
    await withheld.waitFor({ timeout: 20_000 }).catch(async (error: Error) => {
      await page.screenshot({ path: join(ARTIFACTS, 'playground-failed.png') });
      throw error;
    });
    // Contract amounts are CONDITIONAL: district-haidian holds no grant for them.
    expect(await withheld.innerText()).toMatch(/GRANT_REQUIRED TechnologyContract\.amount is withheld by science/);
    await page.screenshot({ path: join(ARTIFACTS, 'playground-withheld.png') });
    await page.close();
  });

  it('shows each consumer its own schema in the docs explorer: no conditional field it holds no grant for', async () => {
    const fieldsOfSchool = async (consumer: string, purpose: string) => {
      const page = await open('/playground');
      await page.waitForSelector('.graphiql-container');
      await signIn(page, consumer, purpose);
      await page.click('[aria-label="Show Documentation Explorer"]');
      await page
        .locator('.graphiql-doc-explorer a', { hasText: /^School$/ })
        .first()
        .click();
      await page.locator('.graphiql-doc-explorer-title', { hasText: 'School' }).waitFor();
      const text = await page.locator('.graphiql-doc-explorer').innerText();
      await page.screenshot({ path: join(ARTIFACTS, `docs-${consumer}.png`) });
      await page.close();
      return text;
    };
    // district-haidian holds EDU-2026-001 (School.students, for enrollment planning); science holds none.
    const granted = await fieldsOfSchool('district-haidian', 'enrollment-planning');
    expect(granted).toMatch(/^students\(/m);
    const ungranted = await fieldsOfSchool('science', 'industrial-policy');
    expect(ungranted).toMatch(/^enrolment: Int!/m);
    expect(ungranted).not.toMatch(/^students\(/m);
    expect(ungranted).not.toMatch(/^teachers\(/m);
  });

  it('finds a field in the catalog by search, with its class, legal basis and grants', async () => {
    const page = await open('/catalog?lang=en');
    await page.fill('#catalog-search', 'guardianPhone');
    const row = page.locator('tr[id="Student.guardianPhone"]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/NOT_SHARED[\s\S]*L4[\s\S]*PIPL/);
    expect(await page.locator('tr[data-search]:visible').count()).toBe(1);
    expect(await page.locator('#catalog-count').innerText()).toMatch(/^1 of \d+ fields match$/);
    await page.fill('#catalog-search', 'students');
    expect(await page.locator('tr[id="School.students"]').innerText()).toMatch(
      /district-haidian[\s\S]*enrollment-planning/,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'catalog.png') });
    // Each field has its own link.
    await page.goto(`${origin}/catalog#Student.name`);
    expect(await page.locator('tr:target').getAttribute('id')).toBe('Student.name');
    await page.close();
  });

  it('made no request outside the host', () => {
    expect(outside).toEqual([]);
  });
});
