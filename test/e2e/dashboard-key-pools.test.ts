/**
 * The Providers page manages a provider's key pool in a real browser: add a key, change its weight,
 * disable it, see its state, remove it — never showing a key.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { launchBrowser, openTab, shot } from '../helpers/browser.js';
import { startZai, type Zai } from '../helpers/harness.js';

const FIRST = 'sk-pool-first-0123456789abcd';
const SECOND = 'sk-pool-second-0123456789wxyz';

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  fake = await startFakeServer((_req, res) =>
    json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' }] }),
  );
  zai = await startZai();
  browser = await launchBrowser();
  ({ page, problems } = await openTab(browser, zai.url));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

describe('key pools on the Providers page', () => {
  it('adds, weights, disables and removes a key of the pool', async () => {
    await page.goto('/signup');
    await page.getByLabel('Email').fill('pools@example.com');
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
    const created = await page.request.post('/api/providers', {
      data: { provider: 'openai', api_key: FIRST, base_url: `${fake.url}/v1` },
    });
    expect(created.status()).toBe(201);
    const providerId = String(((await created.json()) as { id: string }).id);
    await page.reload();

    const card = page.getByRole('region', { name: 'OpenAI' });
    await card.getByRole('button', { name: 'Add a key to openai' }).click();
    await card.getByLabel('API key').fill(SECOND);
    await card.getByLabel('Label').fill('org two');
    await card.getByLabel('Weight').fill('2');
    await card.getByRole('button', { name: 'Add key', exact: true }).click();

    const table = card.getByRole('table', { name: 'Keys of openai' });
    await table.getByText('sk-…wxyz').waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    await card.getByLabel('Weight of key org two').fill('5');
    await card.getByRole('button', { name: 'Save', exact: true }).click();
    await card.getByRole('button', { name: 'Disable key org two' }).click();
    await table.getByText('disabled').waitFor();
    await shot(page, 'providers-key-pool');

    const listed = (await (await page.request.get('/api/providers')).json()) as {
      data: Array<{ id: string; keys: Array<{ label: string; weight: number; enabled: boolean }> }>;
    };
    expect(listed.data.find((p) => p.id === providerId)?.keys[1]).toMatchObject({ label: 'org two', weight: 5, enabled: false });
    expect(await page.content()).not.toContain(SECOND);

    await card.getByRole('button', { name: 'Remove key org two' }).click();
    await expect.poll(() => table.count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
