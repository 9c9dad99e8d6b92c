import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { callGateway } from '../harness/gatewayCall';
import { hubCliOk } from '../harness/hubCli';
import { as, HubProcess, tokenFor } from '../harness/hubProcess';
import { until } from '../harness/until';

// The console's supervision pages in a real browser, in Chinese: the usage page draws the audit
// trail as charts and tables in Beijing time, with the connection plumbing folded away, and its
// CSV download holds the table cell by cell; the audit-and-schema page shows the trail's state,
// verifies it on request and lists the agency's schema versions from the registry. No request leaves the host. Screenshots go to
// gateway/web/screenshots/ (committed).

const SCREENSHOTS = join(__dirname, '..', '..', 'gateway', 'web', 'screenshots');
const ROSTER =
  'query GradeRoster { schools(first: 3) { nodes { code students(first: 3) { nodes { grade gender idNumber } pageInfo { endCursor } } } } }';

/** RFC 4180 rows (quoted cells with doubled quotes, CRLF), as the console writes them. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += ch;
    }
  }
  return rows;
}

describe("the console's supervision pages in a browser", () => {
  let hub: HubProcess;
  let browser: Browser;
  let origin: string;
  let page: Page;
  const outside: string[] = [];

  beforeAll(async () => {
    // Checkpoints soon after a record, so the audit page has one to show.
    hub = await HubProcess.start({ env: { AUDIT_CHECKPOINT_INTERVAL_MS: '200' } });
    origin = new URL(hub.gatewayUrl).origin;
    browser = await launchBrowser();
    page = await (await browser.newContext({ acceptDownloads: true, locale: 'zh-CN' })).newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
    await page.goto(`${origin}/console`);
    await page.fill('textarea[name=token]', await tokenFor('education-cdo', undefined, ['cdo:education']));
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: /待办申请/ }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it('draws usage in Beijing time, folds the plumbing away, and downloads the same table as CSV', async () => {
    for (const [consumer, purpose, times] of [
      ['city-analytics', 'statistics', 3],
      ['district-haidian', 'enrollment-planning', 1],
    ] as const)
      for (let i = 0; i < times; i++)
        expect((await hub.query(ROSTER, {}, await as(consumer, purpose))).status).toBe(200);

    await page.getByRole('button', { name: '使用情况' }).click();
    await page.getByText('所有时间均为北京时间（Asia/Shanghai，UTC+8）。').waitFor();
    await page.locator('select[name=window]').selectOption('24h');
    const consumers = page.locator('table.usage-consumers');
    await consumers.locator('tr[data-consumer=city-analytics]').getByText('city-analytics（statistics）').waitFor();
    const analytics = consumers.locator('tr[data-consumer=city-analytics] td');
    expect(await analytics.nth(1).innerText()).toBe('3');
    // Last seen, in Beijing time: this hour there.
    const beijingHour = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 13).replace('T', ' ');
    expect(await analytics.nth(7).innerText()).toMatch(new RegExp(`^${beijingHour}:\\d\\d$`));
    // Both charts are drawn, each request a bar segment: 3 + 1 requests in this hour's bar.
    await page.locator('figure.chart svg[aria-label^="按使用方和用途的每小时请求量"]').waitFor();
    const segments = await page
      .locator('figure.chart svg rect title')
      .evaluateAll((titles) => titles.map((t) => t.textContent ?? ''));
    expect(segments).toContainEqual(`${beijingHour}:00 · city-analytics（statistics）: 3`);
    expect(segments).toContainEqual(`${beijingHour}:00 · district-haidian（enrollment-planning）: 1`);
    // Data fields only: the plumbing is folded apart.
    const fields = page.locator('table.usage-fields');
    await fields.getByText('Student.idNumber').first().waitFor();
    expect(await fields.innerText()).not.toMatch(/PageInfo|Connection\./);
    await page
      .locator('details.plumbing summary')
      .getByText(/已折叠 \d+ 个连接结构字段/)
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-usage.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载 CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('usage-education-24h.csv');
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const csv = parseCsv(text.slice(1));
    expect(csv[0]).toEqual([
      '机构',
      '使用方',
      '用途',
      '字段',
      '放行',
      '脱敏',
      '扣留',
      '请求',
      '记录',
      '最近（北京时间）',
    ]);
    // Cell by cell: the CSV is the table on the page, with the agency in front…
    const shown = await fields
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(csv.slice(1)).toEqual(shown.map((cells) => ['education', ...cells]));
    // …and the table is the gateway's report.
    const api = await callGateway(
      hub.gatewayUrl,
      'GET',
      '/admin/usage?agency=education&since=24h',
      await tokenFor('education-cdo', undefined, ['cdo:education']),
    );
    const reported = api.body.usage.flatMap((u: any) =>
      u.fields.map((f: any) => [
        'education',
        u.consumer,
        u.purpose,
        f.field,
        String(f.released),
        String(f.masked),
        String(f.denied),
        String(u.requests),
        String(u.entities),
        u.lastSeen,
      ]),
    );
    expect(csv.slice(1)).toEqual(reported);
    const idNumber = csv.find((row) => row[1] === 'city-analytics' && row[3] === 'Student.idNumber')!;
    expect(idNumber.slice(4, 8)).toEqual(['0', '0', '3', '3']);
    expect(outside).toEqual([]);
  });

  it("shows the audit trail's state, verifies it on request, and lists the schema versions", async () => {
    // The first schema command seeds the registry the gateway follows: version 1 of each agency.
    await hubCliOk(['schema', 'list', '--agency', 'education'], {
      HUB_DATA_DIR: hub.dataDir,
      SCHEMA_REGISTRY_DIR: join(hub.dataDir, 'registry'),
    });
    const cdo = await tokenFor('education-cdo', undefined, ['cdo:education']);
    await until(
      async () =>
        (await callGateway(hub.gatewayUrl, 'GET', '/admin/audit-state?agency=education', cdo)).body.chains?.[0]
          ?.lastCheckpoint !== undefined,
      10_000,
      100,
      { what: 'a signed checkpoint of the trail' },
    );
    await page.getByRole('button', { name: '审计与模式' }).click();
    const chains = page.locator('table.audit-chains');
    // The last checkpoint and what the witness holds, in Beijing time.
    await chains.getByText(/第 \d+ 条记录，\d{4}-\d\d-\d\d \d\d:\d\d（北京时间）$/).waitFor();
    await chains.getByText(/见证到第 [1-9]\d* 条记录/).waitFor();
    await page.getByText('本网关启动以来尚未校验').waitFor();
    await page.getByRole('button', { name: '立即校验' }).click();
    const verified = page.locator('[data-verified=ok]');
    await verified.getByText(/完好：\d+ 条记录，[1-9]\d* 个签名检查点/).waitFor();
    await verified.getByText(/（北京时间），由 education-cdo 发起/).waitFor();
    const seeded = page.locator('table.schema-versions tr[data-version="1"]');
    await seeded.getByText('已提交的 SDL').waitFor();
    await seeded.getByText('当前生效').waitFor();
    await seeded.getByText('检查通过').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-audit.png'), fullPage: true });
    expect(outside).toEqual([]);
  });

  it('offers the parent field a requested field cannot be reached without, and approves it too', async () => {
    const analyst = await as('city-analytics', 'statistics');
    const staff = 'query StaffList { schools(first: 2) { nodes { code teachers(first: 2) { nodes { name } } } } }';
    const teacherNames = async () =>
      ((await hub.query(staff, {}, analyst)).body.data?.schools?.nodes ?? []).flatMap((s: any) =>
        (s.teachers?.nodes ?? []).map((t: any) => t.name),
      );
    expect(await teacherNames()).toEqual([]);
    const filed = await callGateway(hub.gatewayUrl, 'POST', '/admin/grant-requests', await tokenFor('city-analytics'), {
      fields: ['Teacher.name'],
      purpose: 'statistics',
      reason: '教师资格的区级分布',
      until: '2027-06-30',
    });
    expect(filed.status).toBe(201);
    await page.getByRole('button', { name: '待办申请' }).click();
    const row = page.locator(`li[data-request="${filed.body.request.id}"]`);
    await row.getByRole('button', { name: '批准' }).click();
    const parents = row.locator('section.impact .parents');
    await parents.getByText('Teacher.name：没有 School.teachers 就取不到任何 Teacher。').waitFor();
    await row
      .locator('section.impact')
      .getByText(/StaffList: Teacher\.name 位于 School\.teachers 之下/)
      .waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-impact-parent.png'), fullPage: true });
    await parents.getByRole('button', { name: '一并授权上级字段 School.teachers' }).click();
    await row.locator('p.added').getByText('School.teachers').waitFor();
    // The preview is asked again with the parent: nothing is left unreachable.
    await parents.waitFor({ state: 'detached' });
    await row.getByRole('button', { name: '确认批准' }).click();
    await page
      .getByRole('status')
      .getByText(/已批准，授权编号 GRANT-/)
      .waitFor();
    const names = await teacherNames();
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((name: unknown) => typeof name === 'string')).toBe(true);
  });
});
