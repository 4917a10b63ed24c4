/**
 * The Usage page in a real browser over real traffic: through the gateway (a fake OpenAI-compatible
 * upstream over HTTP) a fallback chain, an unpriced model, a pool key with a label and a failed
 * request; through the usage writer a day of rows with long model names and one key whose requests
 * cost fractions of a micro-dollar. Checks that no card cuts off its content at 1440, 1280 and
 * 1024 px nor makes a phone scroll sideways, that the chart headers are the stat cards' figures, a
 * placeholder per card while the summary loads, unpriced shown as unpriced, the request details
 * drawer and the By pool key breakdown. Screenshots: test-artifacts/screenshots/usage-*.
 */
import OpenAI from 'openai';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageTable } from '../../src/store/schema.js';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { focusedName, launchBrowser, loaded, logIn, openTab, PHONE, shot, textOf, type Tab } from '../helpers/browser.js';
import { writeRows } from '../helpers/usage-rows.js';

const EMAIL = 'usage-page@example.com';
const PASSWORD = 'correct horse battery staple';
/** Sent as the prompt of every request: it must never appear on the page. */
const PROMPT = 'PROMPT-CANARY-7731 what is in my drawer';
const HOUR = 3_600_000;
const LONG_MODELS = [
  'openrouter/meta-llama/llama-3.1-405b-instruct-turbo',
  'anthropic/claude-3-5-sonnet-20241022',
  'openai/gpt-4o-mini',
];
const count = new Intl.NumberFormat('en-US');

interface Sums {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micro_usd: number;
  unpriced_requests: number;
}
interface Summary {
  totals: Sums;
  by_pool_key: Array<Sums & { provider: string | null; pool_key_id: string | null }>;
}

let zai: Zai;
let fake: FakeServer;
let browser: Browser;
let tab: Tab;
let page: Page;
let poolKeyId = '';
let poolKeyHint = '';
const keyIds: Record<string, string> = {};

function row(userId: string, keyId: string, i: number, at: number, fields: Partial<UsageTable>): UsageTable {
  return {
    id: `req_seed_${keyId.slice(-4)}_${i}`,
    created_at: at,
    user_id: userId,
    key_id: keyId,
    model_requested: 'openai/gpt-4o-mini',
    model_served: 'openai/gpt-4o-mini',
    provider: 'openai',
    status: 200,
    error_code: null,
    prompt_tokens: 10,
    completion_tokens: 2,
    cached_tokens: 0,
    cache_write_tokens: 0,
    reasoning_tokens: 0,
    cost_nano_usd: 0,
    latency_ms: 300,
    ttft_ms: null,
    stream: 0,
    attempts: 1,
    endpoint: 'chat.completions',
    pool_key_id: null,
    unpriced: 0,
    error_message: null,
    detail: null,
    ...fields,
  };
}

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.method === 'GET')
      return json(res, 200, {
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model' },
          { id: 'unpriced-model', object: 'model' },
        ],
      });
    const body = req.json as { model: string };
    if (body.model === 'gpt-4o') return json(res, 503, { error: { message: 'The model is overloaded', type: 'server_error' } });
    if (body.model === 'always-down') return json(res, 500, { error: { message: 'Upstream exploded', type: 'server_error' } });
    return json(
      res,
      200,
      openAICompletion({ model: body.model, usage: { prompt_tokens: 1_200, completion_tokens: 340, cached: 200 } }),
    );
  });
  zai = await startZai();
  const api = new ApiClient(zai.url);
  expect((await api.signup(EMAIL, PASSWORD)).status).toBe(201);
  const me = (await api.get<{ user: { id: string } }>('/api/me')).body;
  const provider = await api.post('/api/providers', {
    provider: 'openai',
    api_key: 'sk-usage-0123456789abcdef',
    base_url: `${fake.url}/v1`,
  });
  const poolKey = (provider.body.keys as Array<{ id: string; hint: string }>)[0]!;
  poolKeyId = poolKey.id;
  poolKeyHint = poolKey.hint;
  expect((await api.patch(`/api/providers/${String(provider.body.id)}/keys/${poolKeyId}`, { label: 'org-primary' })).status).toBe(
    200,
  );
  const checkout = await api.post('/api/keys', { name: 'checkout', fallback_model: ['openai/gpt-4o-mini'] });
  const batch = await api.post('/api/keys', { name: 'batch' });
  const tiny = await api.post('/api/keys', { name: 'tiny' });
  for (const [name, key] of [
    ['checkout', checkout],
    ['batch', batch],
    ['tiny', tiny],
  ] as const)
    keyIds[name] = String(key.body.id);
  const ask = (key: unknown, model: string) =>
    new OpenAI({ apiKey: String(key), baseURL: `${zai.url}/v1`, maxRetries: 0 }).chat.completions.create({
      model,
      messages: [{ role: 'user', content: PROMPT }],
    });
  // Oldest first: the table lists the newest first.
  await expect(ask(batch.body.key, 'openai/always-down')).rejects.toThrow();
  for (let i = 0; i < 3; i++) await ask(checkout.body.key, 'openai/unpriced-model');
  await ask(checkout.body.key, 'openai/gpt-4o-mini');
  await ask(checkout.body.key, 'openai/gpt-4o');

  // A day of traffic with long model names and failures; and 23 requests of 1.4 micro-dollars, one
  // an hour: rounded hour by hour they would add up to 23 micro-dollars instead of 32.
  const rows: UsageTable[] = [];
  const now = Date.now();
  for (let i = 0; i < 120; i++) {
    const model = LONG_MODELS[i % LONG_MODELS.length]!;
    const failed = i % 7 === 0;
    rows.push(
      row(me.user.id, keyIds.batch!, i, now - 20 * HOUR + i * 9 * 60_000, {
        model_requested: model,
        model_served: failed ? null : model,
        provider: model.split('/')[0]!,
        status: failed ? 502 : 200,
        error_code: failed ? 'upstream_error' : null,
        error_message: failed ? 'Upstream provider returned 502' : null,
        prompt_tokens: failed ? 0 : 123_456 + i,
        completion_tokens: failed ? 0 : 45_678,
        cost_nano_usd: failed ? 0 : 1_234_567_891 + i * 1_400,
        latency_ms: 12_345 + i,
      }),
    );
  }
  for (let h = 0; h < 23; h++)
    rows.push(row(me.user.id, keyIds.tiny!, h, now - h * HOUR - 60_000, { cost_nano_usd: 1_400, latency_ms: 200 + h }));
  await writeRows(zai, rows);

  browser = await launchBrowser();
  tab = await openTab(browser, zai.url, { viewport: { width: 1440, height: 900 } });
  page = tab.page;
  await page.goto('/');
  await logIn(page, EMAIL, PASSWORD);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
  await fake?.close();
});

const totals = () => page.getByRole('region', { name: 'Totals' });
const recent = () => page.getByRole('region', { name: 'Recent requests' });
const statValue = (label: string) => totals().locator('.stat').filter({ hasText: label }).locator('.stat-value');
const chartSummary = (title: string) =>
  page
    .locator('figure')
    .filter({ has: page.locator('.card-title', { hasText: title }) })
    .locator('.chart-summary');

/** Opens Usage (period, key) and waits for its summary, its charts and its first page of requests. */
async function openUsage(opts: { key?: string; period?: string } = {}): Promise<Summary> {
  const answer = page.waitForResponse((r) => r.url().includes('/api/usage/summary') && r.ok());
  await page.goto(opts.key ? `/usage?key=${opts.key}` : '/usage');
  let summary = (await (await answer).json()) as Summary;
  if (opts.period) {
    const again = page.waitForResponse((r) => r.url().includes('/api/usage/summary') && r.ok());
    await page.getByRole('button', { name: opts.period, exact: true }).click();
    summary = (await (await again).json()) as Summary;
  }
  await loaded(page);
  await page.locator('figure .recharts-surface').first().waitFor();
  await recent().getByRole('row').nth(1).waitFor();
  return summary;
}

/** Every card of the page that is wider inside than it shows (content cut off or scrolled inside). */
async function cutOff(): Promise<string[]> {
  return page
    .locator('main .card, main .table-scroll')
    .evaluateAll((els) =>
      els
        .filter((el) => el.scrollWidth > el.clientWidth)
        .map((el) => `${el.getAttribute('aria-label') ?? el.textContent?.slice(0, 30)}: ${el.scrollWidth} > ${el.clientWidth}`),
    );
}

async function pageOverflow(): Promise<number> {
  return page
    .locator('html')
    .evaluate((root) => root.ownerDocument.scrollingElement!.scrollWidth - root.ownerDocument.defaultView!.innerWidth);
}

interface Attempt {
  model: string;
  provider: string | null;
  pool_key_id: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
}

/** The request the drawer shows, as GET /api/usage/:id answers it (its id is in the drawer's description). */
async function detailOf(
  drawer: Locator,
): Promise<{ status: number; error_code: string | null; error_message: string | null; attempt_log: Attempt[] }> {
  const id = await textOf(drawer.locator('.dialog-description code'));
  const res = await page.request.get(`/api/usage/${id}`);
  expect(res.status()).toBe(200);
  return res.json();
}

/** An attempt as the drawer writes it: number, model, status, latency, then provider, pool key label and error code. */
function attemptText(n: number, a: Attempt): string {
  const key = a.pool_key_id === poolKeyId ? ' · key org-primary' : '';
  return `${n}${a.model}${a.status}${count.format(a.latency_ms)} ms${a.provider}${key}${a.error_code ? ` · ${a.error_code}` : ''}`;
}

async function holdsFocus(dialog: Locator): Promise<boolean> {
  return dialog.evaluate((d) => d.contains(d.ownerDocument.activeElement));
}

describe('the Usage page', () => {
  it('fits every card at 1440, 1280 and 1024 px: no column cut off, nothing scrolled inside, the page never sideways', async () => {
    for (const width of [1440, 1280, 1024]) {
      await page.setViewportSize({ width, height: 900 });
      await openUsage();
      expect(await cutOff(), `at ${width} px`).toEqual([]);
      expect(await pageOverflow(), `at ${width} px`).toBeLessThanOrEqual(0);
      // The By model card shows its last column (p50) inside its own edge.
      const card = page.getByRole('region', { name: 'By model' });
      const cardBox = (await card.boundingBox())!;
      const p50 = card.getByRole('row').nth(1).getByRole('cell').last();
      const cellBox = (await p50.boundingBox())!;
      expect(cellBox.x + cellBox.width, `p50 at ${width} px`).toBeLessThanOrEqual(cardBox.x + cardBox.width);
      expect(await p50.textContent()).toMatch(/\d+(\.\d)? (ms|s)$/);
      await shot(page, `usage-${width}`);
    }
  });

  it('at 390 × 844 the page with data does not scroll sideways: tables lay out inside their cards', async () => {
    await page.setViewportSize(PHONE);
    await openUsage();
    const widths = await page.locator('html').evaluate((root) => ({
      scroll: root.ownerDocument.scrollingElement!.scrollWidth,
      inner: root.ownerDocument.defaultView!.innerWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    expect(await cutOff()).toEqual([]);
    // Each request is a small card: its values labelled, the whole row inside the screen.
    const first = recent().getByRole('row').nth(1);
    const box = (await first.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    const cost = first.locator('td[data-label="Cost"]');
    expect(await cost.evaluate((td) => td.ownerDocument.defaultView!.getComputedStyle(td, '::before').content)).toBe('"Cost"');
    await shot(page, 'usage-phone');

    // The request drawer fills the phone's width, no wider.
    await first.getByRole('button', { name: /^Details of request at / }).click();
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    await drawer.getByRole('list', { name: 'Attempts of the fallback chain' }).waitFor();
    const drawerBox = (await drawer.boundingBox())!;
    expect(drawerBox.x).toBeGreaterThanOrEqual(0);
    expect(drawerBox.x + drawerBox.width).toBeLessThanOrEqual(PHONE.width);
    expect(await drawer.evaluate((d) => d.scrollWidth - d.clientWidth)).toBeLessThanOrEqual(0);
    await shot(page, 'usage-phone-drawer', { screen: true });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows the same cost, requests and tokens on the stat cards and the chart headers, from the totals', async () => {
    for (const [what, opts] of [
      ['all keys', {}],
      ['7 days', { period: '7 days' }],
      // Only the requests of 1.4 micro-dollars: the cost is exact, not a sum of rounded hours.
      ['key tiny', { key: keyIds.tiny }],
    ] as const) {
      const summary = await openUsage(opts);
      const t = summary.totals;
      expect(await chartSummary('Cost').textContent(), what).toBe(await statValue('Cost').textContent());
      expect(await chartSummary('Requests').textContent(), what).toBe(await statValue('Requests').textContent());
      expect(await chartSummary('Tokens').textContent(), what).toBe(await statValue('Tokens').textContent());
      expect(await statValue('Requests').textContent(), what).toBe(count.format(t.requests));
      if (what === 'key tiny') {
        expect(t.cost_micro_usd).toBe(32);
        expect(await chartSummary('Cost').textContent()).toBe('$0.000032');
      }
    }
  });

  it('shows a placeholder in each card while the summary loads', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const isSummary = (url: URL) => url.pathname === '/api/usage/summary';
    await page.route(isSummary, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto('/usage');
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    expect(await totals().locator('.stat[aria-busy="true"]').count()).toBe(5);
    expect(await totals().getByText('Loading the totals…').count()).toBe(1);
    expect(await page.locator('.chart-card [aria-busy="true"]').count()).toBe(4);
    for (const name of ['By model', 'By key', 'By provider', 'By endpoint'])
      expect(await page.getByRole('region', { name }).locator('[aria-busy="true"]').count(), name).toBe(1);
    expect(await recent().locator('.skeleton-row').count()).toBeGreaterThan(0);
    // Never "No requests" or "$0.00" before the numbers are known.
    expect(await textOf(page.locator('main'))).not.toMatch(/No requests|\$0\.00/);
    await shot(page, 'usage-loading');
    release();
    await loaded(page);
    await statValue('Requests').getByText(/^\d/).waitFor();
    await page.unroute(isSummary);
  });

  it('shows unpriced requests as unpriced: a badge and "—", their count on the Cost card, a link to set prices', async () => {
    const summary = await openUsage();
    expect(summary.totals.unpriced_requests).toBe(3);
    const unpricedRows = recent().getByRole('row').filter({ hasText: 'openai/unpriced-model' });
    expect(await unpricedRows.count()).toBe(3);
    for (const cost of await unpricedRows.locator('td[data-label="Cost"]').allTextContents()) expect(cost).toBe('— Unpriced');
    const priced = recent().getByRole('row').filter({ hasText: 'openai/gpt-4o →' });
    expect(await textOf(priced.locator('td[data-label="Cost"]'))).toBe('$0.000369');
    // By model: no cost to show for a model that has no price.
    const byModel = page.getByRole('region', { name: 'By model' }).getByRole('row').filter({ hasText: 'openai/unpriced-model' });
    expect(await textOf(byModel.locator('td[data-label="Cost"]'))).toBe('— Unpriced');

    const costCard = totals().locator('.stat').filter({ hasText: 'Cost' });
    expect(await textOf(costCard)).toContain('3 unpriced — not counted');
    await costCard.getByRole('link', { name: 'Set prices' }).click();
    await page.getByRole('heading', { level: 1, name: 'Prices' }).waitFor();
    const url = new URL(page.url());
    expect(url.searchParams.get('source')).toBe('unpriced');
    expect(url.searchParams.getAll('used')).toEqual(['openai/unpriced-model']);
    expect(await page.getByRole('button', { name: /^Unpriced/ }).getAttribute('aria-pressed')).toBe('true');
    const prices = page.getByRole('region', { name: 'Prices' });
    // The model the requests used is listed as unpriced (the catalog's list of openai models lacks it), and only unpriced ones.
    await prices.getByRole('button', { name: 'Set price for openai/unpriced-model' }).waitFor();
    expect(await prices.getByRole('row').filter({ hasText: 'openai/gpt-4o-mini' }).count()).toBe(0);
    await shot(page, 'usage-unpriced-prices');
  });

  it('opens a failed request in a drawer: its error message, its attempt, its tokens; Escape gives focus back', async () => {
    await openUsage();
    const failed = recent().getByRole('row').filter({ hasText: 'openai/always-down' });
    const button = failed.getByRole('button', { name: /^Details of request at .+ (EST|EDT)$/ });
    const name = (await button.getAttribute('aria-label'))!;
    // A click anywhere on the row opens it.
    await failed.locator('td[data-label="Key"]').click();
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    await drawer.waitFor();
    expect(await drawer.evaluate((d) => d.matches(':modal'))).toBe(true);
    const outcome = drawer.getByRole('region', { name: 'Outcome' });
    await outcome.getByText('Upstream exploded', { exact: false }).waitFor();
    const attempts = drawer.getByRole('list', { name: 'Attempts of the fallback chain' }).getByRole('listitem');
    await attempts.first().waitFor();
    expect(await attempts.count()).toBe(1);
    const detail = await detailOf(drawer);
    expect(detail.error_message).toContain('Upstream exploded');
    expect(detail.attempt_log).toHaveLength(1);
    const attempt = detail.attempt_log[0]!;
    expect(attempt).toMatchObject({ model: 'openai/always-down', provider: 'openai', pool_key_id: poolKeyId });
    expect(attempt.status).toBeGreaterThanOrEqual(500);
    expect(await textOf(attempts.first())).toBe(attemptText(1, attempt));
    expect(await textOf(outcome)).toContain(`${detail.status}${detail.error_code}`);
    expect(await textOf(drawer)).toMatch(/(EST|EDT)/);
    expect(await page.content()).not.toContain('PROMPT-CANARY');
    await shot(page, 'usage-drawer-failed', { screen: true });

    // Focus stays in the drawer, Escape closes it, and focus is back on the row's button.
    for (const key of ['Tab', 'Shift+Tab'])
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press(key);
        expect(await holdsFocus(drawer), `${key} #${i + 1}`).toBe(true);
      }
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
    await expect.poll(() => focusedName(page)).toBe(name);
  });

  it('opens a request from the keyboard: every attempt of its fallback chain with the pool key label, and the cost arithmetic', async () => {
    await openUsage();
    const served = recent().getByRole('row').filter({ hasText: 'openai/gpt-4o →' });
    const button = served.getByRole('button', { name: /^Details of request at / });
    await button.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    await drawer.waitFor();
    const attempts = drawer.getByRole('list', { name: 'Attempts of the fallback chain' }).getByRole('listitem');
    await attempts.first().waitFor();
    expect(await attempts.count()).toBe(2);
    const detail = await detailOf(drawer);
    const [first, second] = detail.attempt_log;
    expect(first).toMatchObject({ model: 'openai/gpt-4o', provider: 'openai' });
    expect(first!.status).toBeGreaterThanOrEqual(500);
    expect(second).toMatchObject({ model: 'openai/gpt-4o-mini', provider: 'openai', pool_key_id: poolKeyId, status: 200 });
    expect(await attempts.allTextContents()).toEqual([attemptText(1, first!), attemptText(2, second!)]);
    expect(await attempts.nth(1).textContent()).toContain('key org-primary');

    // 1,000 input + 200 cache read + 340 output tokens at gpt-4o-mini's prices.
    const tokens = await textOf(drawer.getByRole('region', { name: 'Tokens' }));
    expect(tokens).toMatch(/Input1,200.*Cache read200.*Cache write0.*Output340.*Reasoning0/);
    const text = await drawer
      .getByRole('table')
      .evaluate((t) =>
        [...t.querySelectorAll('tr')].map((r) => [...r.querySelectorAll('th, td')].map((c) => c.textContent?.trim()).join(' ')),
      );
    expect(text).toEqual([
      'Class Tokens × $ / M tokens = Cost',
      'Input 1,000 × $0.15 $0.00015',
      'Cache read 200 × $0.075 $0.000015',
      'Output 340 × $0.60 $0.000204',
      'Total $0.000369',
    ]);
    await shot(page, 'usage-drawer-fallback', { screen: true });
    // The Close button closes it too; focus goes back to the row's button.
    await drawer.getByRole('button', { name: 'Close' }).click();
    await drawer.waitFor({ state: 'detached' });
    await expect.poll(() => focusedName(page)).toBe((await button.getAttribute('aria-label'))!);
    // Space opens it as well.
    await page.keyboard.press('Space');
    await drawer.waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('an unpriced request’s details say it is unpriced, with a link to set its price, never $0.00', async () => {
    await openUsage();
    await recent()
      .getByRole('row')
      .filter({ hasText: 'openai/unpriced-model' })
      .first()
      .locator('td[data-label="Model"]')
      .click();
    const drawer = page.getByRole('dialog', { name: 'Request details' });
    const cost = drawer.getByRole('region', { name: 'Cost' });
    await cost.getByText('Unpriced', { exact: true }).waitFor();
    expect(await textOf(cost)).not.toContain('$0.00');
    expect(await cost.getByRole('link', { name: 'Set a price' }).getAttribute('href')).toBe(
      `/prices?model=${encodeURIComponent('openai/unpriced-model')}`,
    );
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('breaks usage down by pool key, labelled with the key’s label and provider, only when a pool key served', async () => {
    const summary = await openUsage();
    const served = summary.by_pool_key.find((r) => r.pool_key_id === poolKeyId);
    expect(served?.requests).toBe(5);
    const card = page.getByRole('region', { name: 'By pool key' });
    const keyRow = card.getByRole('row').filter({ hasText: 'org-primary' });
    expect(await textOf(keyRow)).toContain(`openai · ${poolKeyHint}`);
    expect(await textOf(keyRow.getByRole('cell').nth(1))).toMatch(/^5/);
    expect(await textOf(keyRow.locator('td[data-label="Cost"]'))).toBe('$0.000738+ 3 unpriced');
    await card.getByRole('row').filter({ hasText: '(none)' }).first().waitFor();

    // The key whose requests no pool key served: no such card.
    await openUsage({ key: keyIds.tiny });
    expect(await page.getByLabel('Key', { exact: true }).inputValue()).toBe(keyIds.tiny);
    expect(await page.getByRole('region', { name: 'By pool key' }).count()).toBe(0);
  });

  it('saw no console errors or CSP violations', () => {
    expect(tab.problems).toEqual([]);
  });
});
