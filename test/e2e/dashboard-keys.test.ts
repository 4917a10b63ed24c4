/**
 * Keys for people with many of them, in a real browser against the real server: fifty keys
 * searched, filtered, sorted and paged, each linking to its usage and the Playground; the key form
 * checking models against providers, prices and the cap before it saves; a cap lowered below the
 * spend confirmed and shown as "Blocked: cap reached" (and the gateway answering 402); unpriced
 * models shown as unpriced on Keys, Prices and in the Playground, never as $0.00.
 * Screenshots: test-artifacts/screenshots/keys-*.
 */
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  sleep,
  startFakeServer,
  writeSse,
  type FakeServer,
} from '../helpers/fake-upstream.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { launchBrowser, loaded, logIn, nav, openTab, shot, textOf, type Tab } from '../helpers/browser.js';

const EMAIL = 'many-keys@example.com';
const PASSWORD = 'correct horse battery staple';

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let tab: Tab;
let page: Page;
let api: ApiClient;
const ids = new Map<string, string>();
const secrets = new Map<string, string>();

function sdk(name: string): OpenAI {
  return new OpenAI({ apiKey: secrets.get(name)!, baseURL: `${zai.url}/v1`, maxRetries: 0 });
}

const keysRegion = (): Locator => page.getByRole('region', { name: 'Keys' });
const rowNames = async (): Promise<string[]> =>
  (await keysRegion().locator('tbody tr .cell-name').allTextContents()).map((t) => t.trim());

async function createKey(body: Record<string, unknown>): Promise<void> {
  const res = await api.post('/api/keys', body);
  expect(res.status).toBe(201);
  ids.set(String(body.name), String(res.body.id));
  secrets.set(String(body.name), String(res.body.key));
}

beforeAll(async () => {
  fake = await startFakeServer(async (req, res) => {
    if (req.path === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: 'llama3.2' }, { id: 'qwen2.5' }] });
    }
    const body = req.json as { model: string; stream?: boolean };
    if (body.stream) return writeSse(res, openAIStreamEvents(['Unpriced ', 'but ', 'answered.']));
    const usage = body.model === 'gpt-4o' ? { prompt_tokens: 12, completion_tokens: 1000 } : undefined;
    return json(res, 200, openAICompletion({ model: body.model, usage }));
  });
  zai = await startZai();
  api = new ApiClient(zai.url);
  expect((await api.signup(EMAIL, PASSWORD)).status).toBe(201);
  await api.post('/api/providers', { provider: 'openai', api_key: 'sk-keys-0123456789abcdef', base_url: `${fake.url}/v1` });
  // A self-hosted server whose models have no price.
  await api.post('/api/providers', { provider: 'custom', name: 'ollama', api_key: '', base_url: `${fake.url}/v1` });

  // Fifty keys: svc-1 … svc-44 and six with a story.
  for (let i = 1; i <= 44; i++) await createKey({ name: `svc-${i}`, allowed_models: ['openai/*'] });
  await createKey({ name: 'spender', spend_cap_micro_usd: 5_000_000, allowed_models: ['openai/gpt-4o-mini'] });
  await createKey({ name: 'big-spender' });
  await createKey({ name: 'blocked-zero', spend_cap_micro_usd: 0 });
  await createKey({ name: 'local', allowed_models: ['ollama/*', 'ollama/qwen2.5'] });
  for (const name of ['revoked-1', 'revoked-2']) {
    await createKey({ name });
    await api.delete(`/api/keys/${ids.get(name)}`);
  }
  await sdk('spender').chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  await sdk('big-spender').chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
  await sleep(20);
  await sdk('svc-7').chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
  // Spend and last use land with the usage batch.
  for (let waited = 0; waited < 5000; waited += 100) {
    const keys = (
      await api.get<{ data: Array<{ name: string; spent_micro_usd: number; last_used_at: string | null }> }>('/api/keys')
    ).body.data;
    if (keys.find((k) => k.name === 'spender')?.spent_micro_usd && keys.find((k) => k.name === 'svc-7')?.last_used_at) break;
    await sleep(100);
  }

  browser = await launchBrowser();
  tab = await openTab(browser, zai.url, { expected: [{ path: '/api/playground/chat', status: 402 }] });
  page = tab.page;
  await page.goto('/');
  await logIn(page, EMAIL, PASSWORD);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

describe('fifty keys', () => {
  it('come a page at a time, live keys first, with where the reader is', async () => {
    await nav(page, 'Keys');
    await loaded(page);
    expect(await rowNames()).toHaveLength(20);
    const pager = page.getByRole('navigation', { name: 'Keys pages' });
    expect(await textOf(pager)).toContain('1–20 of 50 · page 1 of 3');
    await pager.getByRole('button', { name: 'Next' }).click();
    expect(await textOf(pager)).toContain('21–40 of 50 · page 2 of 3');
    await pager.getByRole('button', { name: 'Next' }).click();
    const last = await rowNames();
    expect(last).toHaveLength(10);
    // Revoked keys are history: at the very end.
    expect(last.slice(-2).sort()).toEqual(['revoked-1', 'revoked-2']);
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await shot(page, 'keys-01-page-3');
  });

  it('are searched by name, filtered by status and sorted by spend, last use or creation', async () => {
    await page.getByLabel('Search keys').fill('svc-4');
    expect((await rowNames()).sort()).toEqual(['svc-4', 'svc-40', 'svc-41', 'svc-42', 'svc-43', 'svc-44']);
    // A new search starts again at page 1 and needs no pager here.
    expect(await page.getByRole('navigation', { name: 'Keys pages' }).count()).toBe(0);
    await page.getByLabel('Search keys').fill('');

    const show = page.getByRole('group', { name: 'Show' });
    expect(await show.getByRole('button').allTextContents()).toEqual(['All (50)', 'Active (47)', 'Blocked (1)', 'Revoked (2)']);
    await show.getByRole('button', { name: /^Revoked/ }).click();
    expect((await rowNames()).sort()).toEqual(['revoked-1', 'revoked-2']);
    await show.getByRole('button', { name: /^Blocked/ }).click();
    // A cap of 0: spend is at the cap, every priced request is refused.
    expect((await rowNames()).sort()).toEqual(['blocked-zero']);
    expect(await textOf(keysRegion().getByRole('row').filter({ hasText: 'blocked-zero' }))).toContain('Blocked: cap reached');
    await show.getByRole('button', { name: /^All/ }).click();

    await page.getByLabel('Sort by').selectOption({ label: 'Highest spend' });
    // Equal spend: the newer key first.
    expect((await rowNames()).slice(0, 3)).toEqual(['big-spender', 'spender', 'svc-7']);
    await page.getByLabel('Sort by').selectOption({ label: 'Last used' });
    expect((await rowNames()).slice(0, 3)).toEqual(['svc-7', 'big-spender', 'spender']);
    await page.getByLabel('Sort by').selectOption({ label: 'Newest first' });
    expect((await rowNames())[0]).toBe('local');
    await shot(page, 'keys-02-sorted');
  });

  it('name every row action after its key, and link each key to its usage and to the Playground', async () => {
    await page.getByLabel('Search keys').fill('svc-44');
    const row = keysRegion().getByRole('row').filter({ hasText: 'svc-44' });
    for (const name of ['Edit key svc-44', 'Revoke key svc-44']) await row.getByRole('button', { name, exact: true }).waitFor();
    const usage = row.getByRole('link', { name: 'Usage of key svc-44', exact: true });
    expect(await usage.getAttribute('href')).toBe(`/usage?key=${ids.get('svc-44')}`);
    const playground = row.getByRole('link', { name: 'Playground with key svc-44', exact: true });
    expect(await playground.getAttribute('href')).toBe(`/playground?key=${ids.get('svc-44')}`);

    await playground.click();
    await page.getByRole('heading', { level: 1, name: 'Playground' }).waitFor();
    await expect.poll(async () => textOf(page.getByLabel('Key', { exact: true }).locator('option:checked'))).toContain('svc-44');

    await nav(page, 'Keys');
    await page.getByLabel('Search keys').fill('svc-44');
    await keysRegion().getByRole('link', { name: 'Usage of key svc-44' }).click();
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    expect(new URL(page.url()).search).toBe(`?key=${ids.get('svc-44')}`);
  });
});

describe('the key form', () => {
  it('checks each model against providers, prices and the cap before it saves', async () => {
    await nav(page, 'Keys');
    await page.getByRole('button', { name: 'Create key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create a key' });
    await dialog.getByLabel('Name').fill('checked');
    const allowed = dialog.getByLabel(/^Allowed models/);
    for (const model of ['gemini/gemini-2.5-flash', 'ollama/*', 'ollama/qwen2.5', 'openai/gpt-4o-mini']) {
      await allowed.fill(model);
      await allowed.press('Enter');
    }
    const allowWarnings = dialog.getByLabel('Warnings about the allowed models');
    await allowWarnings.getByText('no provider connected for gemini/…').waitFor();
    expect(await allowWarnings.getByRole('link', { name: 'Connect a provider' }).getAttribute('href')).toBe('/providers');
    // No cap yet: unpriced models are allowed without a word.
    expect(await textOf(allowWarnings)).not.toContain('no price');

    await dialog.getByLabel('Spend cap (USD)').fill('5');
    await allowWarnings.getByText('2 of 2 models it matches have no price: a capped key will refuse them.').waitFor();
    const qwen = allowWarnings.getByRole('listitem').filter({ hasText: 'ollama/qwen2.5' });
    expect(await textOf(qwen)).toContain('no price: a capped key will refuse it.');
    // The chips with a warning are marked; the priced one is not.
    expect(await dialog.locator('.chip-warn code').allTextContents()).toEqual([
      'gemini/gemini-2.5-flash',
      'ollama/*',
      'ollama/qwen2.5',
    ]);

    const fallbacks = dialog.getByLabel(/^Fallback models/);
    await fallbacks.fill('mistral/mistral-large-latest');
    await fallbacks.press('Enter');
    await dialog.getByLabel('Warnings about the fallback models').getByText('no provider connected for mistral/…').waitFor();
    await shot(page, 'keys-03-form-warnings');

    // [Set price] opens the price form on top, for that model; saving it clears the warning.
    await qwen.getByRole('button', { name: 'Set price for ollama/qwen2.5' }).click();
    const price = page.getByRole('dialog', { name: 'Set a price' });
    expect(await price.getByLabel('Model').inputValue()).toBe('ollama/qwen2.5');
    await price.getByLabel('Input (USD / 1M tokens)', { exact: true }).fill('0');
    await price.getByLabel('Output (USD / 1M tokens)').fill('0.1');
    await shot(page, 'keys-04-set-price');
    await price.getByRole('button', { name: 'Save price' }).click();
    await price.waitFor({ state: 'detached' });
    await qwen.waitFor({ state: 'detached' });
    // Focus is back in the key form, which is still open.
    expect(await dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement))).toBe(true);
    await allowWarnings.getByText('1 of 2 models it matches has no price: a capped key will refuse it.').waitFor();

    // Warnings do not stop the save.
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const reveal = page.getByRole('dialog', { name: 'Your new key' });
    await reveal.getByRole('button', { name: 'Done' }).click();
    const saved = (await api.get<{ data: Array<{ name: string; allowed_models: string[] }> }>('/api/keys')).body.data.find(
      (k) => k.name === 'checked',
    );
    expect(saved?.allowed_models).toEqual(['gemini/gemini-2.5-flash', 'ollama/*', 'ollama/qwen2.5', 'openai/gpt-4o-mini']);
  });

  it('asks before a cap goes below what the key spent, then shows the key blocked; the gateway answers 402', async () => {
    await page.getByLabel('Search keys').fill('spender');
    const row = keysRegion()
      .getByRole('row')
      .filter({ has: page.getByText('spender', { exact: true }) });
    expect(await textOf(row)).not.toContain('Blocked');
    await row.getByRole('button', { name: 'Edit key spender' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “spender”' });
    expect(await textOf(dialog)).toMatch(/Spent so far: \$0\.0000\d+/);
    await dialog.getByLabel('Spend cap (USD)').fill('0.000001');
    await dialog.getByRole('button', { name: 'Save changes' }).click();

    const confirm = page.getByRole('dialog', { name: 'Block “spender” now?' });
    expect(await textOf(confirm)).toMatch(
      /already spent \$0\.0000\d+\. With a cap of \$0\.000001 it refuses every priced request/,
    );
    await shot(page, 'keys-05-confirm-block');
    // Cancel: nothing saved, back in the form.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(await dialog.getByLabel('Spend cap (USD)').inputValue()).toBe('0.000001');
    const before = (await api.get<{ data: Array<{ name: string; spend_cap_micro_usd: number }> }>('/api/keys')).body.data;
    expect(before.find((k) => k.name === 'spender')?.spend_cap_micro_usd).toBe(5_000_000);

    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await confirm.getByRole('button', { name: 'Save and block the key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Blocked: cap reached').waitFor();
    await shot(page, 'keys-06-blocked');

    const refused = await sdk('spender')
      .chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((err: unknown) => err);
    expect((refused as { status: number }).status).toBe(402);
  });
});

describe('unpriced is not free', () => {
  it('marks unpriced allowed models on the Keys page', async () => {
    await page.getByLabel('Search keys').fill('local');
    const row = keysRegion().getByRole('row').filter({ hasText: 'local' });
    const tags = row.getByRole('list', { name: 'Models of local' });
    // qwen2.5 got a price in the form above; the pattern is not a model.
    expect(await textOf(tags.getByRole('listitem').filter({ hasText: 'ollama/qwen2.5' }))).not.toContain('Unpriced');
    await api.delete('/api/prices?model=ollama%2Fqwen2.5');
    await page.reload();
    await tags.getByRole('listitem').filter({ hasText: 'ollama/qwen2.5' }).getByText('Unpriced').waitFor();
  });

  it('lists the account’s unpriced models on the Prices page with "—" and a way to set a price', async () => {
    await nav(page, 'Prices');
    const source = page.getByRole('group', { name: 'Source' });
    await source.getByRole('button', { name: 'Unpriced (2)' }).click();
    const table = page.getByRole('region', { name: 'Prices' });
    const row = table.getByRole('row').filter({ hasText: 'ollama/llama3.2' });
    // Model, input, cached input, cache writes, output, source.
    expect((await row.getByRole('cell').allTextContents()).slice(0, 6)).toEqual([
      'ollama/llama3.2',
      '—',
      '—',
      '—',
      '—',
      'Unpriced',
    ]);
    expect(await textOf(table)).not.toContain('$0.00');
    await shot(page, 'keys-07-prices-unpriced');

    await row.getByRole('button', { name: 'Set price for ollama/llama3.2' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set a price' });
    await dialog.getByLabel('Input (USD / 1M tokens)', { exact: true }).fill('0');
    await dialog.getByLabel('Output (USD / 1M tokens)').fill('0');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await source.getByRole('button', { name: 'Unpriced (1)' }).waitFor();
    await source.getByRole('button', { name: /^Custom/ }).click();
    // Free is a price too: $0.00, a Custom badge.
    expect(await textOf(table.getByRole('row').filter({ hasText: 'ollama/llama3.2' }))).toContain('$0.00');

    // A link to /prices?model=… opens the form for that model.
    await page.goto('/prices?model=ollama%2Fqwen2.5');
    const linked = page.getByRole('dialog', { name: 'Set a price' });
    expect(await linked.getByLabel('Model').inputValue()).toBe('ollama/qwen2.5');
    await linked.getByRole('button', { name: 'Cancel' }).click();
  });

  it('shows an unpriced run in the Playground as unpriced, with where to set its price', async () => {
    await page.goto(`/playground?key=${ids.get('local')}`);
    const model = page.getByLabel('Model', { exact: true });
    await model.locator('option[value="ollama/qwen2.5"]').waitFor({ state: 'attached' });
    expect(await model.locator('option[value="ollama/qwen2.5"]').textContent()).toBe('ollama/qwen2.5 (unpriced)');
    expect(await model.locator('option[value="ollama/llama3.2"]').textContent()).toBe('ollama/llama3.2');
    expect(await textOf(page.locator('.field-hint').filter({ hasText: 'this key may call' }))).toBe(
      '2 models this key may call.',
    );
    await model.selectOption('ollama/qwen2.5');
    await page.getByLabel('Message').fill('Hello?');
    await page.getByRole('button', { name: 'Send' }).click();
    const stats = page.locator('dl.run-stats');
    await stats.waitFor();
    const cost = stats.locator('div').filter({ hasText: /^Cost/ });
    expect(await textOf(cost)).toMatch(/^Cost—\s*Unpriced\s*Set price$/);
    expect(await textOf(stats)).not.toContain('$0.00');
    expect(await cost.getByRole('link', { name: 'Set price' }).getAttribute('href')).toBe('/prices?model=ollama%2Fqwen2.5');
    await shot(page, 'keys-08-playground-unpriced');
  });

  it('saw no console errors or CSP violations', () => {
    expect(tab.problems).toEqual([]);
  });
});
