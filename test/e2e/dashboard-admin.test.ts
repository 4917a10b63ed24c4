/**
 * The Admin page in a real browser against the real server: disable and enable an account (its
 * Z-AI key refused, then working again, through the official SDK), change its role, and read the
 * audit log of every account, page by page, filtered by account, with times in their zone and no
 * secret anywhere. Screenshots: test-artifacts/screenshots/admin-*.
 */
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { ApiClient, accountWithKey, startZai, type Zai } from '../helpers/harness.js';
import { focusedName, launchBrowser, loaded, logIn, nav, openTab, shot, textOf, type Tab } from '../helpers/browser.js';

const ADMIN = 'root@example.com';
const MEMBER = 'member@example.com';
const PASSWORD = 'correct horse battery staple';
const PROVIDER_KEY = 'sk-canary-ADMINUI-0123456789abcdef';

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let tab: Tab;
let page: Page;
let memberKey = '';

async function chat(): Promise<number> {
  const sdk = new OpenAI({ apiKey: memberKey, baseURL: `${zai.url}/v1`, maxRetries: 0 });
  return sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).then(
    () => 200,
    (err: unknown) => (err as { status: number }).status,
  );
}

const accounts = (): Locator => page.getByRole('region', { name: 'Accounts' });
const memberRow = (): Locator => accounts().getByRole('row').filter({ hasText: MEMBER });
const audit = (): Locator => page.getByRole('region', { name: 'Audit log' });

beforeAll(async () => {
  fake = await startFakeServer((_req, res) => json(res, 200, openAICompletion({ model: 'gpt-4o-mini' })));
  zai = await startZai();
  expect((await new ApiClient(zai.url).signup(ADMIN, PASSWORD)).status).toBe(201);
  const member = await accountWithKey(zai, { email: MEMBER, apiKey: PROVIDER_KEY, baseUrl: `${fake.url}/v1` });
  memberKey = member.key;
  // Enough history for more than one page of the audit log.
  for (let i = 1; i <= 30; i++) await member.api.post('/api/keys', { name: `batch-${i}` });
  expect(await chat()).toBe(200);

  browser = await launchBrowser();
  tab = await openTab(browser, zai.url);
  page = tab.page;
  await page.goto('/');
  await logIn(page, ADMIN, PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

describe('the Admin page', () => {
  it('lists the accounts with role and status; the admin’s own row has no actions', async () => {
    await nav(page, 'Admin');
    await loaded(page);
    const self = accounts().getByRole('row').filter({ hasText: ADMIN });
    expect(await textOf(self)).toContain('You');
    expect(await self.getByRole('button').count()).toBe(0);
    expect(await textOf(memberRow())).toMatch(/Member.*Active/);
    await memberRow()
      .getByRole('button', { name: `Disable account ${MEMBER}` })
      .waitFor();
    await memberRow()
      .getByRole('button', { name: `Make ${MEMBER} an admin` })
      .waitFor();
  });

  it('disables an account after a confirmation: its key is refused; enabling brings it back', async () => {
    await memberRow()
      .getByRole('button', { name: `Disable account ${MEMBER}` })
      .click();
    const confirm = page.getByRole('dialog', { name: `Disable ${MEMBER}?` });
    expect(await textOf(confirm)).toContain('every Z-AI key of theirs is refused');
    await shot(page, 'admin-01-confirm-disable');
    await confirm.getByRole('button', { name: 'Disable account' }).click();
    await confirm.waitFor({ state: 'detached' });
    await memberRow().getByText('Disabled', { exact: true }).waitFor();
    // Focus goes back to the row's (renamed) action, not to the document.
    await expect.poll(() => focusedName(page)).not.toBe('<body>');
    expect(await chat()).toBe(403);
    await shot(page, 'admin-02-disabled');

    await memberRow()
      .getByRole('button', { name: `Enable account ${MEMBER}` })
      .click();
    await page
      .getByRole('dialog', { name: `Enable ${MEMBER}?` })
      .getByRole('button', { name: 'Enable account' })
      .click();
    await memberRow().getByText('Active', { exact: true }).waitFor();
    expect(await chat()).toBe(200);
  });

  it('changes a role after a confirmation', async () => {
    await memberRow()
      .getByRole('button', { name: `Make ${MEMBER} an admin` })
      .click();
    await page
      .getByRole('dialog', { name: `Make ${MEMBER} an admin?` })
      .getByRole('button', { name: 'Make admin' })
      .click();
    await memberRow()
      .getByRole('button', { name: `Make ${MEMBER} a member` })
      .waitFor();
    expect(await textOf(memberRow())).toContain('Admin');
    await memberRow()
      .getByRole('button', { name: `Make ${MEMBER} a member` })
      .click();
    await page
      .getByRole('dialog', { name: `Make ${MEMBER} a member?` })
      .getByRole('button', { name: 'Make member' })
      .click();
    await memberRow()
      .getByRole('button', { name: `Make ${MEMBER} an admin` })
      .waitFor();
  });

  it('shows the audit log of every account, newest first, by page and by account, times in their zone', async () => {
    await loaded(page);
    const rows = audit().locator('tbody tr');
    const first = await rows.first().getByRole('cell').allTextContents();
    expect(first.slice(1, 4)).toEqual([ADMIN, 'Changed a role', `${MEMBER}: admin → member`]);
    expect(first[0]).toMatch(/\d{2}:\d{2}:\d{2} [AP]M (EST|EDT)$/);
    expect(await textOf(audit())).toContain('Disabled an account');
    expect(await rows.count()).toBe(25);
    await audit().getByRole('button', { name: 'Load older entries' }).click();
    // 30 + 1 keys, a provider, 2 role changes, a disable and an enable: 36 in all.
    await expect.poll(() => rows.count()).toBe(36);
    expect(await audit().getByRole('button', { name: 'Load older entries' }).count()).toBe(0);
    expect(await textOf(rows.last())).toContain('Connected a provider');
    await shot(page, 'admin-03-audit');

    await audit().getByLabel('Account').selectOption({ label: ADMIN });
    await expect.poll(() => rows.count()).toBe(4);
    expect(new Set(await rows.locator('td[data-label="Account"]').allTextContents())).toEqual(new Set([ADMIN]));

    const html = await page.content();
    expect(html).not.toContain(PROVIDER_KEY);
    expect(html).not.toContain(memberKey);
  });

  it('saw no console errors or CSP violations', () => {
    expect(tab.problems).toEqual([]);
  });
});
