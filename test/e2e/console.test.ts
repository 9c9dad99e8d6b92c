import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchBrowser } from '../harness/browser';
import { callGateway } from '../harness/gatewayCall';
import { as, HubProcess, tokenFor } from '../harness/hubProcess';

// The CDOs' console in a real browser: the education CDO signs in with a pasted token, sees a
// consumer's grant request in the Chinese inbox, approves it with a mask, and the consumer's next
// request reads the field masked; a refusal needs and records a reason; the English switch
// relabels the page; the grants register lists policy-file and store grants; before each
// decision the impact preview says what it would change (a revocation names the consumer whose
// operation breaks). No request leaves the host. Screenshots of each page are written to
// gateway/web/screenshots/ (committed; the inbox in both languages).

const SCREENSHOTS = join(__dirname, '..', '..', 'gateway', 'web', 'screenshots');
// A request filed in October and never answered: past its deadline, so first in the inbox.
const OVERDUE = {
  id: 'REQ-2026-0900',
  agency: 'education',
  consumer: 'district-haidian',
  fields: ['Student.gender'],
  purpose: 'enrollment-planning',
  reason: '按性别规划寄宿学位',
  requestedAt: '2026-10-09T02:00:00.000Z',
  requestedBy: 'district-haidian',
  deadline: '2026-10-23',
  status: 'pending',
};
const ROSTER = 'query ClassRoster { schools(first: 3) { nodes { code students(first: 2) { nodes { name grade } } } } }';

describe('the CDO console in a browser', () => {
  let hub: HubProcess;
  let browser: Browser;
  let origin: string;
  let page: Page;
  let dataDir: string;
  const outside: string[] = [];
  const admin = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) =>
    callGateway(hub.gatewayUrl, method, path, token, body);
  const studentNames = async () => {
    const { body } = await hub.query(ROSTER, {}, await as('city-analytics', 'statistics'));
    return (body.data?.schools?.nodes ?? []).flatMap((s: any) => s.students?.nodes ?? []).map((s: any) => s.name);
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'cdo-hub-console-'));
    mkdirSync(join(dataDir, 'grants'));
    const { id, agency, consumer, purpose, fields, requestedAt: at, requestedBy: actor, reason } = OVERDUE;
    const requested = {
      seq: 1,
      at,
      action: 'requested',
      actor,
      agency,
      consumer,
      purpose,
      fields,
      requestId: id,
      reason,
    };
    writeFileSync(
      join(dataDir, 'grants', 'grants.json'),
      JSON.stringify({ storeId: 'console-e2e', revision: 1, requests: [OVERDUE], grants: [], events: [requested] }),
    );
    hub = await HubProcess.start({ dataDir });
    origin = new URL(hub.gatewayUrl).origin;
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('approves a request in Chinese with a mask, and the consumer reads the field masked', async () => {
    const analyst = await tokenFor('city-analytics');
    const filed = await admin('POST', '/admin/grant-requests', analyst, {
      fields: ['Student.name'],
      purpose: 'statistics',
      reason: '年级与年龄错配研究，需要区分学生',
      until: '2027-06-30',
    });
    expect(filed.status).toBe(201);
    const requestId: string = filed.body.request.id;
    // Without a grant the name is withheld.
    expect((await studentNames()).every((name: unknown) => name === null)).toBe(true);

    await page.goto(`${origin}/console`);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.getByRole('heading', { name: '登录' }).waitFor();
    // The development sign-in shows how to mint a CDO token; the page itself never mints one.
    await page.getByText('--consumer education-cdo --role cdo:education').waitFor();
    await page.fill('textarea[name=token]', await tokenFor('education-cdo', undefined, ['cdo:education']));
    await page.getByRole('button', { name: '登录' }).click();

    const row = page.locator(`li[data-request="${requestId}"]`);
    await row.waitFor();
    await row.getByText(/剩 \d+ 个工作日/).waitFor();
    // Overdue first, with the working days it is late by.
    const pending = page.locator('ul.requests:not(.decided) > li');
    expect(await pending.first().getAttribute('data-request')).toBe(OVERDUE.id);
    await pending
      .first()
      .getByText(/已逾期 \d+ 个工作日/)
      .waitFor();
    await row.getByText('年级与年龄错配研究').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-inbox.png'), fullPage: true });

    await row.getByRole('button', { name: '批准' }).click();
    // The mask list offers what fits a String field: the name mask, not rounding.
    const mask = row.locator('select[name="mask:Student.name"]');
    await mask.waitFor();
    const offered = await mask
      .locator('option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toContain('name');
    expect(offered).not.toContain('round(n)');
    await mask.selectOption('name');
    const expires = row.locator('input[name=expires]');
    expect(await expires.inputValue()).toBe('2027-06-30');
    // Impact before confirming: the analyst's roster read the name withheld; approved, it reads it masked.
    const preview = row.locator('section.impact');
    const released = preview.locator('tr', { hasText: 'Student.name' });
    await released.getByText('将被放行').waitFor();
    await released.getByText('city-analytics（statistics） · ClassRoster').waitFor();
    await released.getByText('扣留（GRANT_REQUIRED） → 脱敏（姓名（保留姓））').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-approve.png'), fullPage: true });
    // A refusal by the API reads in plain words, its code and message kept beneath — shown by the
    // preview, before anything is confirmed.
    await expires.fill('2020-01-01');
    await row.locator('[role=alert][data-code=GRANT_REQUEST_INVALID]').getByText('输入不符合要求').waitFor();
    expect(await row.getByRole('button', { name: '确认批准' }).isDisabled()).toBe(true);
    await expires.fill('2027-06-30');
    // Correcting the input clears the refusal.
    await row.locator('[role=alert]').waitFor({ state: 'detached' });
    await row.getByRole('button', { name: '确认批准' }).click();
    await page
      .getByRole('status')
      .getByText(/已批准，授权编号 GRANT-/)
      .waitFor();

    // The admin API applies the decision before it answers: the very next request reads masked.
    const names = await studentNames();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^\p{Script=Han}{1,2}\*+$/u);
  });

  it('refuses with a reason, and says so in plain words when the reason is missing', async () => {
    const haidian = await tokenFor('district-haidian');
    const filed = await admin('POST', '/admin/grant-requests', haidian, {
      fields: ['Teacher.name'],
      purpose: 'planning',
      reason: 'teacher staffing in Haidian',
    });
    expect(filed.status).toBe(201);
    const requestId: string = filed.body.request.id;
    await page.getByRole('button', { name: '刷新' }).click();
    const row = page.locator(`li[data-request="${requestId}"]`).first();
    await row.getByRole('button', { name: '拒绝' }).click();
    await row.getByRole('button', { name: '确认拒绝' }).click();
    await row.getByText('请填写理由。').waitFor();
    await row.locator('textarea[name=reason]').fill('教师个人信息不对区级规划开放');
    await row.getByRole('button', { name: '确认拒绝' }).click();
    await page.getByRole('status').getByText(`已拒绝申请 ${requestId}。`).waitFor();

    const listed = await admin(
      'GET',
      '/admin/grant-requests?agency=education',
      await tokenFor('education', undefined, ['cdo:education']),
    );
    expect(listed.body.requests.find((r: any) => r.id === requestId)).toMatchObject({
      status: 'refused',
      decision: { by: 'education-cdo', reason: '教师个人信息不对区级规划开放' },
    });
  });

  it('previews a revocation in Chinese, naming the consumer whose recent operation would break', async () => {
    // The analyst reads the roster under the new grant: the operation a revocation would break.
    expect((await studentNames()).length).toBeGreaterThan(0);
    await page.getByRole('button', { name: '生效授权' }).click();
    const stored = page.locator('table.grants tr[data-grant^="GRANT-"]');
    await stored.getByRole('button', { name: '撤销' }).click();
    const preview = stored.locator('section.impact[data-decision=revoke]');
    const broken = preview.locator('tr', { hasText: 'Student.name' });
    await broken.getByText('city-analytics（statistics） · ClassRoster').waitFor();
    await broken.getByText('将被扣留').waitFor();
    await broken.getByText('脱敏（姓名（保留姓）） → 扣留（GRANT_REVOKED）').waitFor();
    expect(Number(await broken.locator('td').nth(1).innerText())).toBeGreaterThanOrEqual(2);
    await preview.getByText(/依据 .* 以来 \d+ 条审计记录中的 \d+ 个不同操作/).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-impact.png'), fullPage: true });
    // Previewing decided nothing: the analyst still reads the names, masked.
    for (const name of await studentNames()) expect(name).toMatch(/^\p{Script=Han}{1,2}\*+$/u);
    await stored.getByRole('button', { name: '取消' }).click();
    await page.getByRole('button', { name: '待办申请' }).click();
  });

  it('answers a dispute with an outcome and a reason, and lists what is still owed beside the usage', async () => {
    const { body } = await hub.query(
      '{ schools(first: 2) { nodes { code } } }',
      {},
      await as('city-analytics', 'statistics'),
    );
    const [first, second] = body.data!.schools.nodes.map((n: { code: string }) => n.code) as string[];
    const analyst = await tokenFor('city-analytics', 'statistics');
    const file = async (key: string, claim: string) =>
      (await admin('POST', '/admin/disputes', analyst, { coordinate: 'School.name', key, claim })).body.dispute
        .id as string;
    const answered = await file(first!, '学校已于 2026 年更名');
    const stillOpen = await file(second!, '校名少了“附属”二字');

    await page.getByRole('button', { name: '疑义校核' }).click();
    const row = page.locator(`li[data-dispute="${answered}"]`);
    await row.getByText('学校已于 2026 年更名').waitFor();
    await row.getByText(/答复截止 \d{4}-\d{2}-\d{2} · 剩余 \d+ 个工作日/).waitFor();
    await row.getByRole('button', { name: '答复' }).click();
    // Neither outcome nor reason: said in plain words, nothing sent.
    await row.getByRole('button', { name: '提交答复' }).click();
    await row.getByText('输入不符合要求，请选择结论并填写理由。').waitFor();
    await row.getByLabel('已更正').check();
    await row.locator('textarea[name=reason]').fill('已按区政府更名文件更正');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-dispute.png'), fullPage: true });
    await row.getByRole('button', { name: '提交答复' }).click();
    await page.getByRole('status').getByText(`已答复 ${answered}：已更正。`).waitFor();
    await page
      .locator('ul.decided')
      .locator(`li[data-dispute="${answered}"]`)
      .getByText('已按区政府更名文件更正')
      .waitFor();

    const cdo = await tokenFor('education-cdo', undefined, ['cdo:education']);
    const listed = await admin('GET', '/admin/disputes?agency=education', cdo);
    expect(listed.body.disputes.find((d: { id: string }) => d.id === answered)).toMatchObject({
      status: 'answered',
      answer: { outcome: 'corrected', by: 'education-cdo', reason: '已按区政府更名文件更正' },
    });

    // The usage page lists the dispute still open, and the overdue deletion attestations (none here).
    await page.getByRole('button', { name: '使用情况' }).click();
    await page.getByRole('heading', { name: '待答复的疑义' }).waitFor();
    await page.getByText('共 1 件待答复，其中 0 件已逾期。').waitFor();
    await page.locator(`table.owed-disputes tr[data-dispute="${stillOpen}"]`).waitFor();
    await page.getByText('没有逾期的删除证明。').waitFor();
    await page.getByRole('button', { name: '待办申请' }).click();
  });

  it('switches to English and lists every grant in force with its source and history', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByRole('heading', { name: /Inbox/ }).waitFor();
    await page.getByText(/overdue by \d+ working days?/).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-inbox-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Grants' }).click();
    const table = page.locator('table.grants');
    await table.waitFor();
    await table.locator('tr[data-grant="EDU-2026-001"]').getByText('policy file', { exact: true }).waitFor();
    const stored = table.locator('tr[data-grant^="GRANT-"]');
    await stored.getByText('grant store', { exact: true }).waitFor();
    await stored.getByText('in force', { exact: true }).first().waitFor();
    await stored.getByText('requested', { exact: true }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'console-grants.png'), fullPage: true });

    // Revoked with a reason: the history says so, and the consumer's next read is withheld again.
    await stored.getByRole('button', { name: 'Revoke' }).click();
    await stored.locator('textarea[name=reason]').fill('study finished early');
    await stored.getByRole('button', { name: 'Confirm revocation' }).click();
    await page
      .getByRole('status')
      .getByText(/Revoked grant GRANT-/)
      .waitFor();
    await stored.getByText('study finished early').waitFor();
    expect(await stored.locator('td .status').first().innerText()).toBe('revoked');
    expect((await studentNames()).every((name: unknown) => name === null)).toBe(true);
    // The choice of language lasts for the tab's session.
    await page.reload();
    await page
      .getByRole('heading', { name: /Grants|Inbox/ })
      .first()
      .waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(outside).toEqual([]);
  });
});
