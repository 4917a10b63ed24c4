/**
 * The Usage page in Chromium (playwright-core, built web/dist) for a period with more requests than
 * the dashboard used to sample (5,000): 6,500 rows written straight into the database through the
 * usage writer. The page's totals, chart sums, percentiles and breakdowns must equal the server's
 * summary, and the summary must equal the rows.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page, type Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/http/app.js';
import type { UsageTable } from '../../src/store/schema.js';
import { startZai, type Zai } from '../helpers/harness.js';
import { groupBy, randomRow, seeded, sums, writeRows } from '../helpers/usage-rows.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
const HOUR = 3_600_000;
const count = new Intl.NumberFormat('en-US');

interface Sums {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_nano_usd: number;
  cost_micro_usd: number;
  latency_ms: { p50: number | null; p95: number | null };
}
interface Summary {
  since: string;
  until: string;
  totals: Sums;
  series: Array<Sums & { start: string }>;
  by_model: Array<Sums & { model: string }>;
  by_key: Array<Sums & { key_id: string }>;
  by_provider: Array<Sums & { provider: string | null }>;
  by_endpoint: Array<Sums & { endpoint: string }>;
}

let zai: Zai;
let browser: Browser;
let page: Page;
let keyId = '';
const rows: UsageTable[] = [];
const requested: string[] = [];
const problems: string[] = [];

/** "$1,234.56" or "$0.000042" → micro-USD. */
function usdToMicro(text: string): number {
  return Math.round(Number(text.replace(/[$,]/g, '')) * 1_000_000);
}

function ms(value: number | null): string {
  if (value === null) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${count.format(Math.round(value))} ms`;
}

beforeAll(async () => {
  if (!fs.existsSync(`${WEB_DIST}/index.html`)) throw new Error(`${WEB_DIST}/index.html is missing: run "npm run build" first.`);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  zai = await startZai();
  const signup = await fetch(`${zai.url}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'busy@example.com', password: 'correct horse battery' }),
  });
  const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const [name, value] = cookie.split('=') as [string, string];
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${zai.url}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);
  const me = (await call('GET', '/api/me')) as { user: { id: string } };
  keyId = String((await call('POST', '/api/keys', { name: 'batch-jobs' })).id);

  const random = seeded(42);
  const now = Date.now();
  const shape = {
    keys: [keyId, 'key_deleted_long_ago'],
    models: ['openai/gpt-4o-mini', 'anthropic/claude-haiku', 'gemini/flash'],
  };
  for (let i = 0; i < 6500; i++)
    rows.push(randomRow(random, me.user.id, Math.floor(now - 22 * HOUR + random() * 22 * HOUR), shape));
  // Outside the page's 24 hours: never counted there.
  for (let i = 0; i < 300; i++)
    rows.push(randomRow(random, me.user.id, Math.floor(now - 30 * HOUR - random() * 20 * HOUR), shape));
  await writeRows(zai, rows);
  await zai.server.services.usageMaintenance.runOnce();

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, baseURL: zai.url });
  await context.addCookies([{ name, value, url: zai.url }]);
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await zai?.close();
});

describe('Usage page with more than 5,000 requests in the period', () => {
  it('draws totals, charts, percentiles and breakdowns that equal the summary, and the summary equals the rows', async () => {
    const answer: Promise<Response> = page.waitForResponse((r) => r.url().includes('/api/usage/summary'));
    await page.goto('/usage');
    const summary = (await (await answer).json()) as Summary;

    // The summary against the rows themselves.
    const since = Date.parse(summary.since);
    const until = Date.parse(summary.until);
    const inPeriod = rows.filter((r) => r.created_at >= since && r.created_at < until);
    expect(inPeriod.length).toBeGreaterThan(5000);
    const expected = sums(inPeriod);
    expect(summary.totals).toMatchObject({
      requests: expected.requests,
      errors: expected.errors,
      prompt_tokens: expected.prompt_tokens,
      completion_tokens: expected.completion_tokens,
      cost_nano_usd: expected.cost_nano_usd,
    });
    expect(summary.series).toHaveLength(24);
    const byModel = groupBy(inPeriod, (r) => r.model_served ?? r.model_requested);
    for (const m of summary.by_model) expect(m.requests).toBe(byModel.get(m.model)?.length);

    // Totals cards.
    const totals = page.getByRole('region', { name: 'Totals' });
    await totals.getByText(count.format(summary.totals.requests), { exact: true }).waitFor();
    expect(await totals.textContent()).toContain(`${count.format(summary.totals.errors)} failed`);
    const costCard = totals.locator('.stat').filter({ hasText: 'Cost' }).locator('.stat-value');
    expect(usdToMicro((await costCard.textContent()) ?? '')).toBeCloseTo(summary.totals.cost_micro_usd, -4);
    const latencyCard = totals.locator('.stat').filter({ hasText: 'Latency p50' });
    expect(await latencyCard.locator('.stat-value').textContent()).toBe(ms(summary.totals.latency_ms.p50));

    // Charts: what each chart adds up to is the summary's total.
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    const chartSummary = (title: string) =>
      page
        .locator('figure')
        .filter({ has: page.locator('.card-title', { hasText: title }) })
        .locator('.chart-summary')
        .textContent();
    expect(await chartSummary('Requests')).toBe(count.format(summary.totals.requests));
    expect(await chartSummary('Cost')).toBe(await costCard.textContent());
    expect(await chartSummary('Latency')).toBe(`${ms(summary.totals.latency_ms.p50)} / ${ms(summary.totals.latency_ms.p95)}`);
    expect(await page.locator('figure .recharts-wrapper > svg.recharts-surface').count()).toBe(4);
    // One bar per hour that had requests (succeeded and failed stacks).
    const hoursWithRequests = summary.series.filter((b) => b.requests > b.errors).length;
    expect(await page.locator('.recharts-bar-rectangle').count()).toBeGreaterThanOrEqual(hoursWithRequests);

    // Breakdowns: by model, key (by name), provider and endpoint.
    for (const [region, list, label] of [
      ['By model', summary.by_model, (r: Summary['by_model'][number]) => r.model],
      ['By key', summary.by_key, (r: Summary['by_key'][number]) => (r.key_id === keyId ? 'batch-jobs' : r.key_id)],
      ['By provider', summary.by_provider, (r: Summary['by_provider'][number]) => r.provider ?? '(none)'],
      ['By endpoint', summary.by_endpoint, (r: Summary['by_endpoint'][number]) => r.endpoint],
    ] as const) {
      const table = page.getByRole('region', { name: region });
      for (const r of list as Array<Sums>) {
        const row = table.getByRole('row').filter({ hasText: (label as (x: Sums) => string)(r) });
        const cells = await row.getByRole('cell').allTextContents();
        expect(cells[1], `${region} ${(label as (x: Sums) => string)(r)}`).toMatch(new RegExp(`^${count.format(r.requests)}`));
      }
    }

    // The requests table: one page of 25 from the list, its count from the summary; the export link.
    const recent = page.getByRole('region', { name: 'Recent requests' });
    await recent.getByText(`${count.format(summary.totals.requests)} in this period`).waitFor();
    expect(await recent.getByRole('row').count()).toBe(26);
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toBe(`/api/usage/export?since=${encodeURIComponent(summary.since)}&until=${encodeURIComponent(summary.until)}`);
    await page.screenshot({ path: `${ARTIFACTS}usage-6500.png`, fullPage: true });

    // Nothing was fetched row by row: one summary, one page of 25.
    const lists = requested.filter((u) => /\/api\/usage\?/.test(u));
    expect(lists).toHaveLength(1);
    expect(lists[0]).toContain('limit=25');
    expect(requested.filter((u) => u.includes('/api/usage/summary'))).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('the Export CSV button downloads the period as CSV', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const file = await download.path();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,created_at,key_id,endpoint,/);
    const totals = page.getByRole('region', { name: 'Totals' });
    const requests = Number(((await totals.locator('.stat-value').first().textContent()) ?? '').replaceAll(',', ''));
    expect(lines).toHaveLength(requests + 1);
    expect(download.suggestedFilename()).toMatch(/^zai-usage-.*\.csv$/);
  });
});
