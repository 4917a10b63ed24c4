/**
 * The dashboard end to end in a real browser: Debian's Chromium driven by playwright-core against
 * the real server (built `web/dist`) and a fake OpenAI-compatible upstream over real HTTP. One
 * user journey, in order: sign up, connect a provider, create a key, use it from the OpenAI SDK,
 * find the request in Usage, chat in the Playground, manage prices, see Admin, revoke the key.
 * Screenshots of every page land in test-artifacts/screenshots/journey-* (not committed).
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  json,
  openAICompletion,
  openAIStreamEvents,
  startFakeServer,
  writeSse,
  type FakeServer,
} from '../helpers/fake-upstream.js';
import { launchBrowser, nav as navTo, openTab, shot as shotOf, textOf } from '../helpers/browser.js';
import { startZai, type Zai } from '../helpers/harness.js';

const CANARY = 'sk-canary-DASHBOARD-0123456789abcdef';
const WRONG_KEY = 'sk-wrong-DASHBOARD-0123456789abcdef';
const EMAIL = 'founder@example.com';
const PASSWORD = 'correct horse battery staple';
const STREAM_PIECES = ['Streaming ', 'hello ', 'from ', 'the ', 'fake ', 'upstream.'];
const STREAMED = STREAM_PIECES.join('');

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let page: Page;
let gatewayKey = '';
/** Console errors, page errors and CSP violations seen in the browser. */
let problems: string[] = [];

beforeAll(async () => {
  fake = await startFakeServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${CANARY}`) {
      return json(res, 401, {
        error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    }
    if (req.method === 'GET' && req.path === '/v1/models') {
      return json(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'openai' }] });
    }
    if (req.method === 'POST' && req.path === '/v1/chat/completions') {
      if ((req.json as { stream?: boolean }).stream) return writeSse(res, openAIStreamEvents(STREAM_PIECES), 150);
      return json(res, 200, openAICompletion({ model: 'gpt-4o-mini', content: 'Hello from the fake.' }));
    }
    return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error', code: null } });
  });
  zai = await startZai();
  browser = await launchBrowser();
  // Expected answers: a short password, a wrong password, and the Playground's chat that the key's cap refuses.
  const tab = await openTab(browser, zai.url, {
    expected: [
      { path: '/api/auth/signup', status: 400 },
      { path: '/api/auth/login', status: 401 },
      { path: '/api/playground/chat', status: 402 },
    ],
  });
  page = tab.page;
  problems = tab.problems;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

const shot = (name: string) => shotOf(page, `journey-${name}`);
const nav = (name: string) => navTo(page, name);

function sdk(): OpenAI {
  return new OpenAI({ apiKey: gatewayKey, baseURL: `${zai.url}/v1`, maxRetries: 0 });
}

describe('dashboard in a real browser', () => {
  it('serves the app shell with a strict CSP and shows the login page', async () => {
    const res = await page.goto('/');
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    await page.getByRole('heading', { name: 'Log in to Z-AI' }).waitFor();
    await shot('01-login');
  });

  it('signs up with errors shown inline, and the session survives a reload', async () => {
    await page.getByRole('link', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    expect(await textOf(page.getByRole('alert'))).toMatch(/10 characters/);
    await shot('01-signup-error');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
    expect(links.map((l) => l.trim())).toEqual(['Providers', 'Keys', 'Usage', 'Prices', 'Playground', 'Admin']);

    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
    expect(page.url()).toBe(`${zai.url}/providers`);
  });

  it('lists the eight providers, connects OpenAI at the fake upstream, and tests it', async () => {
    for (const label of ['OpenAI', 'Anthropic', 'Google Gemini', 'Groq', 'Mistral', 'Together AI', 'Fireworks AI']) {
      const card = page.getByRole('region', { name: label });
      await card.waitFor();
      expect(await card.getByRole('link', { name: /Get a key/ }).getAttribute('href')).toMatch(/^https:\/\//);
    }
    await page.getByRole('region', { name: /Custom/ }).waitFor();
    await shot('02-providers-empty');

    const openai = page.getByRole('region', { name: 'OpenAI' });
    expect(await textOf(openai)).toContain('sk-...');
    expect(await openai.getByRole('link', { name: /Get a key/ }).getAttribute('href')).toBe(
      'https://platform.openai.com/api-keys',
    );
    // Each card's button says which provider it connects.
    for (const label of ['Anthropic', 'Google Gemini', 'Groq', 'Custom (vLLM, Ollama, …)']) {
      expect(await page.getByRole('button', { name: `Connect ${label}`, exact: true }).count(), label).toBe(1);
    }
    await openai.getByRole('button', { name: 'Connect OpenAI', exact: true }).click();
    const keyInput = openai.getByLabel('API key');
    expect(await keyInput.getAttribute('type')).toBe('password');
    await keyInput.fill(CANARY);
    await openai.getByLabel('Base URL').fill(`${fake.url}/v1`);
    await shot('02-providers-form');
    await openai.getByRole('button', { name: 'Save', exact: true }).click();

    await openai.getByText('sk-…cdef').waitFor();
    // Saving ran the Test once: the card says what the provider answered.
    await openai.getByText('Working', { exact: true }).first().waitFor();
    expect(await textOf(openai.getByRole('status'))).toMatch(/OK: 1 model available\./);
    // The pasted key is nowhere in the page: not in the markup, not in any input's value.
    expect(await page.content()).not.toContain(CANARY);
    const values = await page
      .locator('input, textarea')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
    expect(values.join('\n')).not.toContain(CANARY);

    const tests = fake.requests.filter((r) => r.path === '/v1/models').length;
    await openai.getByRole('button', { name: 'Test openai' }).click();
    const result = openai.getByRole('status');
    await result.getByText('Working').waitFor();
    expect(await textOf(result)).toMatch(/\d+ ms/);
    // Times say their zone.
    expect(await textOf(result.locator('time'))).toMatch(/\d{2}:\d{2}:\d{2} [AP]M (EST|EDT)$/);
    await expect.poll(() => fake.requests.filter((r) => r.path === '/v1/models').length).toBe(tests + 1);
    expect(await page.content()).not.toContain(CANARY);
    await shot('02-providers');
  });

  it('turns a card to an error state with the provider’s message when its Test fails', async () => {
    const openai = page.getByRole('region', { name: 'OpenAI' });
    await openai.getByRole('button', { name: 'Add another OpenAI' }).click();
    await openai.getByLabel('API key').fill(WRONG_KEY);
    await openai.getByLabel('Base URL').fill(`${fake.url}/v1`);
    await openai.getByLabel('Name').fill('openai-2');
    await openai.getByRole('button', { name: 'Save', exact: true }).click();
    // Saving tested the key: the provider rejected it, and the card says so instead of "Connected".
    await openai.getByText('Key rejected (401)').first().waitFor();
    expect(await openai.evaluate((el) => el.className)).toContain('failing');
    expect(await textOf(openai)).toContain('Incorrect API key provided.');
    expect(await textOf(openai)).not.toContain('Connected');
    await shot('02-providers-failing');
    // The status is the server's: it survives a reload.
    await page.reload();
    await openai.getByText('Key rejected (401)').first().waitFor();

    await openai.getByRole('button', { name: 'Remove openai-2' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove OpenAI?' });
    await confirm.getByRole('button', { name: 'Remove provider' }).click();
    await confirm.waitFor({ state: 'detached' });
    await openai.getByText('openai-2/…').waitFor({ state: 'detached' });
    await openai.getByText('Working', { exact: true }).first().waitFor();
    expect(await textOf(openai)).not.toContain('Key rejected');
  });

  it('creates a key with a cap and reads it once from the dialog', async () => {
    await nav('Keys');
    await page.getByRole('button', { name: 'Create key' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create a key' });
    await dialog.getByLabel('Name').fill('e2e-backend');
    await dialog.getByLabel(/^Allowed models/).fill('openai/*');
    await dialog.getByLabel(/^Allowed models/).press('Enter');
    await dialog.getByText('openai/*', { exact: true }).waitFor();
    await dialog.getByLabel('Spend cap (USD)').fill('5');
    await dialog.getByLabel('Cap applies to').selectOption('month');
    await dialog.getByLabel(/^Tokens per minute/).fill('1000000');
    await shot('03-key-form');
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const reveal = page.getByRole('dialog', { name: 'Your new key' });
    await reveal.waitFor();
    gatewayKey = await reveal.getByLabel('Key', { exact: true }).inputValue();
    expect(gatewayKey).toMatch(/^zai-/);
    expect(await textOf(reveal)).toMatch(/only time/);
    await reveal.getByRole('button', { name: 'Copy' }).click();
    await reveal.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(gatewayKey);
    await shot('03-new-key');
    await reveal.getByRole('button', { name: 'Done' }).click();
    await reveal.waitFor({ state: 'detached' });

    const row = page.getByRole('row').filter({ hasText: 'e2e-backend' });
    expect(await textOf(row)).toContain('$0.00 of $5.00');
    expect(await textOf(row)).toContain('openai/*');
    // A monthly cap says when it starts afresh: the 1st of next month, UTC.
    expect(await textOf(row)).toContain('Per month; resets');
    const keys = await page.evaluate(async () => ((await (await fetch('/api/keys')).json()) as { data: unknown[] }).data);
    expect(keys).toEqual([expect.objectContaining({ budget_period: 'month', rate_limit_tpm: 1_000_000 })]);
    // Shown once: the key is gone from the page after the dialog closed.
    expect(await page.content()).not.toContain(gatewayKey);
    await shot('04-keys');
  });

  it('the key works from Node with the official OpenAI SDK', async () => {
    const completion = await sdk().chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake.');
  });

  it('finds the request in Usage, with charts drawn', async () => {
    await nav('Usage');
    const table = page.getByRole('region', { name: 'Recent requests' });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await page.getByRole('button', { name: 'Refresh' }).waitFor();
          return table.getByRole('row').filter({ hasText: 'openai/gpt-4o-mini' }).count();
        },
        { timeout: 10_000, interval: 300 },
      )
      .toBe(1);
    const row = table.getByRole('row').filter({ hasText: 'openai/gpt-4o-mini' });
    const rowText = await textOf(row);
    expect(rowText).toContain('e2e-backend');
    expect(rowText).toContain('200');
    expect(rowText).toContain('12 / 5');
    expect(rowText).toContain('chat.completions');

    await page.locator('.recharts-surface').first().waitFor();
    // Cost, requests, tokens and latency over time.
    expect(await page.locator('figure .recharts-wrapper > svg.recharts-surface').count()).toBe(4);
    await page.locator('.recharts-area-area').first().waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    expect(await textOf(page.getByRole('region', { name: 'Totals' }))).toMatch(/Requests\s*1/);
    expect(await textOf(page.getByRole('region', { name: 'By model' }))).toContain('openai/gpt-4o-mini');
    expect(await textOf(page.getByRole('region', { name: 'By key' }))).toContain('e2e-backend');
    await shot('05-usage');
  });

  it('chats in the Playground and shows the answer streaming in, then its stats', async () => {
    await nav('Playground');
    // The key and model lists load after the page: wait for them rather than race them.
    await expect
      .poll(() => page.getByLabel('Key', { exact: true }).locator('option').allTextContents(), { timeout: 10_000, interval: 200 })
      .toEqual([expect.stringContaining('e2e-backend')]);
    await page.getByLabel('Model', { exact: true }).locator('option[value="openai/gpt-4o-mini"]').waitFor({ state: 'attached' });
    // The first choice is the cheapest priced model the key may call, not the catalog's first.
    const catalog = await page.evaluate(async () => {
      const get = async (path: string) => ((await (await fetch(path)).json()) as { data: unknown[] }).data;
      return { models: await get('/api/models'), prices: await get('/api/prices') };
    });
    const priceOf = new Map(
      (catalog.prices as Array<{ model: string; input_usd_per_mtok: number; output_usd_per_mtok: number }>).map((p) => [
        p.model,
        p.input_usd_per_mtok + p.output_usd_per_mtok,
      ]),
    );
    const offered = (catalog.models as Array<{ id: string }>).map((m) => m.id).filter((id) => priceOf.has(id));
    const cheapest = offered.reduce((a, b) => (priceOf.get(b)! < priceOf.get(a)! ? b : a));
    expect(await page.getByLabel('Model', { exact: true }).inputValue()).toBe(cheapest);

    // A model whose worst case (128,000 output tokens at $50 per million) the key's $5 cap cannot
    // cover is not refused: it is sent with max_tokens shortened to what the cap covers.
    await page.getByLabel('Model', { exact: true }).selectOption('openai/gpt-6-astra');
    await page.getByLabel('Message').fill('Write a very long essay.');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => fake.requests.filter((r) => (r.json as { model?: string } | undefined)?.model === 'gpt-6-astra').length)
      .toBe(1);
    const shortened = fake.requests.find((r) => (r.json as { model?: string } | undefined)?.model === 'gpt-6-astra')!.json as {
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    const limit = shortened.max_completion_tokens ?? shortened.max_tokens ?? 0;
    expect(limit).toBeGreaterThan(90_000);
    expect(limit).toBeLessThan(100_000);
    await page.locator('dl.run-stats').first().waitFor();

    await page.getByLabel('Model', { exact: true }).selectOption('openai/gpt-4o-mini');
    await page.getByLabel('Message').fill('Say hello, slowly.');
    await page.getByRole('button', { name: 'Send' }).click();

    // The answer of this second chat, below the first one.
    await expect.poll(() => page.getByTestId('assistant-message').count()).toBe(2);
    const answer = page.getByTestId('assistant-message').last();
    const seen = new Set<string>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const text = (await answer.textContent()) ?? '';
      seen.add(text);
      if (text === STREAMED) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen.has(STREAMED)).toBe(true);
    const partial = [...seen].filter((t) => t.length > 0 && t !== STREAMED && STREAMED.startsWith(t));
    expect(partial.length).toBeGreaterThanOrEqual(2);

    const stats = page.locator('dl.run-stats').last();
    await stats.waitFor();
    const statsText = await textOf(stats);
    expect(statsText).toContain('12 in · 5 out');
    expect(statsText).toMatch(/Cost:?\s*\$0\.\d+/);
    expect(statsText).toMatch(/Latency:?\s*[\d,]+ ms/);
    await shot('06-playground');
  });

  it('adds, edits and removes a custom price', async () => {
    await nav('Prices');
    await page.getByRole('row').filter({ hasText: 'openai/gpt-4o-mini' }).first().waitFor();
    await page.getByRole('button', { name: 'Add custom price' }).click();
    let dialog = page.getByRole('dialog', { name: 'Add a custom price' });
    await dialog.getByLabel('Model').fill('ollama/llama3.2');
    await dialog.getByLabel('Input (USD / 1M tokens)', { exact: true }).fill('0');
    await dialog.getByLabel('Output (USD / 1M tokens)').fill('0.5');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    const row = page.getByRole('row').filter({ hasText: 'ollama/llama3.2' });
    await row.getByText('Custom').waitFor();
    expect(await textOf(row)).toContain('$0.50');

    await row.getByRole('button', { name: 'Edit' }).click();
    dialog = page.getByRole('dialog', { name: 'Edit custom price' });
    await dialog.getByLabel('Output (USD / 1M tokens)').fill('0.75');
    await dialog.getByRole('button', { name: 'Save price' }).click();
    await row.getByText('$0.75').waitFor();
    await shot('07-prices');

    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove price' }).click();
    await row.waitFor({ state: 'detached' });
  });

  it('shows the admin the accounts and their usage', async () => {
    await nav('Admin');
    const row = page.getByRole('region', { name: 'Accounts' }).getByRole('row').filter({ hasText: EMAIL });
    await row.waitFor();
    expect(await textOf(row)).toContain('Admin');
    // The SDK's request, the Playground's refused chat and its answered one (usage rows land within about a second).
    await expect
      .poll(
        async () => {
          await page.reload();
          return textOf(row.getByRole('cell').nth(4));
        },
        { timeout: 10_000, interval: 500 },
      )
      .toBe('3');
    await shot('08-admin');
  });

  it('revokes the key after a confirmation; the SDK then gets 401', async () => {
    await nav('Keys');
    const row = page.getByRole('row').filter({ hasText: 'e2e-backend' });
    await row.getByRole('button', { name: 'Revoke' }).click();
    const confirm = page.getByRole('dialog', { name: /Revoke/ });
    await shot('09-revoke-confirm');
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.getByText('Revoked', { exact: true }).waitFor();

    const error = await sdk()
      .chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    await shot('09-keys-revoked');
  });

  it('logs out, refuses a wrong password inline, and logs back in', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to Z-AI' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await shot('10-login-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    // Back where the user was when they logged out.
    await page.getByRole('heading', { level: 1, name: 'Keys' }).waitFor();
  });

  it('never put the provider key in the page or the logs, and saw no console errors or CSP violations', async () => {
    for (const name of ['Providers', 'Keys', 'Usage', 'Prices', 'Playground', 'Admin']) {
      await nav(name);
      expect(await page.content()).not.toContain(CANARY);
    }
    expect(zai.logs()).not.toContain(CANARY);
    expect(problems).toEqual([]);
  });
});
