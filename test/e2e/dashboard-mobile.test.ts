/**
 * Every page of the dashboard at a desktop size and on a 390 × 844 phone: the page never scrolls
 * sideways, its title is in view, uncovered and readable (WCAG AA contrast against what is behind
 * it), and on the phone the navigation is a drawer behind a Menu button. Screenshots of every page
 * at both sizes go to test-artifacts/screenshots/pages-*.
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import {
  DESKTOP,
  PHONE,
  focusedName,
  launchBrowser,
  loaded,
  logIn,
  nav,
  openTab,
  shot,
  sidewaysOverflow,
  titleLegibility,
  type Tab,
} from '../helpers/browser.js';

const EMAIL = 'phone-admin@example.com';
const PASSWORD = 'correct horse battery staple';
const SIGNED_IN = ['Providers', 'Keys', 'Usage', 'Prices', 'Playground', 'Admin'];

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
const tabs: Tab[] = [];

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model' }] });
    return json(res, 200, openAICompletion({ model: 'gpt-4o-mini', content: 'Hello.' }));
  });
  zai = await startZai();
  // An account with something on every page: a tested provider, keys (one blocked, one revoked,
  // long names and model lists), requests, a custom price and a second account.
  const api = new ApiClient(zai.url);
  expect((await api.signup(EMAIL, PASSWORD)).status).toBe(201);
  const provider = await api.post('/api/providers', {
    provider: 'openai',
    api_key: 'sk-phone-0123456789abcdef',
    base_url: `${fake.url}/v1`,
  });
  await api.post(`/api/providers/${String(provider.body.id)}/test`);
  await api.put('/api/prices', {
    model: 'openai/my-finetune-with-a-rather-long-name',
    input_usd_per_mtok: 1,
    output_usd_per_mtok: 2,
  });
  const main = await api.post('/api/keys', {
    name: 'backend-production-eu-west-with-a-long-name',
    allowed_models: ['openai/gpt-4o-mini', 'openai/gpt-4o', 'openai/o3-mini', 'openai/unpriced-model'],
    spend_cap_micro_usd: 5_000_000,
    fallback_model: ['openai/gpt-4o', 'openai/o3-mini'],
  });
  await api.post('/api/keys', { name: 'blocked', spend_cap_micro_usd: 0 });
  const old = await api.post('/api/keys', { name: 'old-key' });
  await api.delete(`/api/keys/${String(old.body.id)}`);
  const sdk = new OpenAI({ apiKey: String(main.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
  await sdk.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  await new ApiClient(zai.url).signup('someone-else@example.com');
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

async function checkPage(page: Page, size: string, name: string): Promise<void> {
  // Let cards that load data fill in before measuring.
  await loaded(page);
  expect(await sidewaysOverflow(page), `${name} at ${size} scrolls sideways`).toBe(0);
  const title = await titleLegibility(page);
  expect(title.inView, `${name} title in view`).toBe(true);
  expect(title.covered, `${name} title covered`).toBe(false);
  expect(title.contrast, `${name} title contrast`).toBeGreaterThanOrEqual(4.5);
  await shot(page, `pages-${size}-${name.toLowerCase().replace(/\W+/g, '-')}`);
}

for (const [size, viewport] of [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const) {
  describe(`every page at ${size} size (${viewport.width} × ${viewport.height})`, () => {
    let page: Page;

    beforeAll(async () => {
      const tab = await openTab(browser, zai.url, { viewport });
      tabs.push(tab);
      page = tab.page;
    });

    it('log-in and sign-up pages fit and have readable titles', async () => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Log in to Z-AI' }).waitFor();
      await checkPage(page, size, 'Log in');
      await page.getByRole('link', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Create your account' }).waitFor();
      await checkPage(page, size, 'Sign up');
      await page.getByRole('link', { name: 'Log in' }).click();
      await logIn(page, EMAIL, PASSWORD);
    });

    for (const name of SIGNED_IN) {
      it(`${name}: no sideways scroll, a readable title`, async () => {
        await nav(page, name);
        await checkPage(page, size, name);
      });
    }

    it('an unknown address shows a page that fits too', async () => {
      await page.goto('/no-such-page');
      await page.getByText('This page does not exist').waitFor();
      expect(await sidewaysOverflow(page)).toBe(0);
      await shot(page, `pages-${size}-not-found`);
    });

    it('the key form fits the screen', async () => {
      await nav(page, 'Keys');
      await page.getByRole('button', { name: 'Edit key backend-production-eu-west-with-a-long-name' }).click();
      const dialog = page.getByRole('dialog', { name: /^Edit/ });
      await dialog.waitFor();
      const box = await dialog.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      expect(await sidewaysOverflow(page)).toBe(0);
      await shot(page, `pages-${size}-key-form`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
    });
  });
}

describe('the phone layout', () => {
  let page: Page;

  beforeAll(() => {
    page = tabs[1]!.page;
  });

  it('has a compact header whose Menu button opens the navigation as a drawer', async () => {
    await nav(page, 'Keys');
    // The sidebar is gone; the header holds the brand and the Menu button.
    expect(await page.locator('.sidebar').isVisible()).toBe(false);
    const menu = page.getByRole('button', { name: 'Menu', exact: true });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    const header = await page.locator('.topbar').boundingBox();
    expect(header!.height).toBeLessThan(70);

    await menu.click();
    const drawer = page.getByRole('dialog', { name: 'Menu' });
    await drawer.waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    expect(await drawer.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents()).toEqual(SIGNED_IN);
    expect(await drawer.getByRole('link', { name: 'Keys' }).getAttribute('aria-current')).toBe('page');
    await drawer.getByRole('button', { name: 'Log out' }).waitFor();
    await shot(page, 'pages-phone-menu', { screen: true });

    // Escape closes it and gives focus back to the Menu button.
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await focusedName(page)).toBe('Menu');

    // Choosing a page closes it and puts focus on the new page's title.
    await menu.click();
    await drawer.getByRole('link', { name: 'Prices' }).click();
    await page.getByRole('heading', { level: 1, name: 'Prices' }).waitFor();
    await drawer.waitFor({ state: 'detached' });
    await expect.poll(() => focusedName(page)).toBe('Prices');
  });

  it('shows wide tables as one card per row, each value labelled', async () => {
    await nav(page, 'Keys');
    const row = page.getByRole('row').filter({ hasText: 'blocked' });
    const box = await row.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(PHONE.width);
    const spend = row.locator('td[data-label="Spend"]');
    // The label comes from CSS (::before), so the cell reads "Spend  $0.00 of $0.00".
    expect(await spend.evaluate((td) => td.ownerDocument.defaultView!.getComputedStyle(td, '::before').content)).toBe('"Spend"');
    expect(await row.getByText('Blocked: cap reached').isVisible()).toBe(true);
    await row.getByRole('button', { name: 'Revoke key blocked' }).waitFor();
  });
});

describe('both sizes', () => {
  it('saw no console errors or CSP violations', () => {
    for (const tab of tabs) expect(tab.problems).toEqual([]);
  });
});
