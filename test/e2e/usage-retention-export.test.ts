/**
 * Retention (ZAI_USAGE_RETENTION_DAYS prunes request rows, the rollups keep their history) and the
 * CSV export (GET /api/usage/export streams every row of a period, and parses back to the list's
 * rows). Rows are written through the real usage writer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageTable } from '../../src/store/schema.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { randomRow, seeded, writeRows } from '../helpers/usage-rows.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SHAPE = { keys: ['key_one', 'key_two'], models: ['openai/gpt-4o-mini', 'anthropic/claude-haiku'] };

interface Totals {
  requests: number;
  cost_nano_usd: number;
  prompt_tokens: number;
  latency_ms: { p50: number | null; p99: number | null };
}

async function account(zai: Zai, email: string): Promise<{ api: ApiClient; userId: string }> {
  const api = new ApiClient(zai.url);
  await api.signup(email);
  const me = await api.get<{ user: { id: string } }>('/api/me');
  return { api, userId: me.body.user.id };
}

/** RFC 4180: quoted cells with doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      out.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  expect(cell).toBe('');
  expect(row).toEqual([]);
  return out;
}

/** The export's documented guard: a text cell a spreadsheet would run as a formula starts with '. */
function unguard(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

describe('retention', () => {
  let zai: Zai;
  beforeAll(async () => {
    zai = await startZai({ ZAI_USAGE_RETENTION_DAYS: '2' });
  });
  afterAll(async () => {
    await zai?.close();
  });

  it('prunes request rows older than ZAI_USAGE_RETENTION_DAYS in the background and keeps the rollups', async () => {
    const { api, userId } = await account(zai, 'retention@example.com');
    const random = seeded(3);
    const now = Date.now();
    const at = (from: number, to: number) => Math.floor(from + random() * (to - from));
    const old = Array.from({ length: 1300 }, () => randomRow(random, userId, at(now - 6 * DAY, now - 2 * DAY - HOUR), SHAPE));
    const recent = Array.from({ length: 400 }, () => randomRow(random, userId, at(now - 2 * DAY + HOUR, now), SHAPE));
    await writeRows(zai, [...old, ...recent]);
    const period = `since=${new Date(now - 7 * DAY).toISOString()}&until=${new Date(now + MINUTE).toISOString()}&bucket=1d`;
    const before = await api.get<{ totals: Totals }>(`/api/usage/summary?${period}`);
    expect(before.body.totals.requests).toBe(1700);

    const result = await zai.server.services.usageMaintenance.runOnce();
    expect(result.pruned).toBe(1300);
    const left = await zai.server.services.store.db.selectFrom('usage').select(['id', 'created_at']).execute();
    expect(left.map((r) => r.id).sort()).toEqual(recent.map((r) => r.id).sort());

    // The summary (and with it spend history) still counts every request, percentiles included.
    const after = await api.get<{ totals: Totals }>(`/api/usage/summary?${period}`);
    expect(after.body.totals).toEqual(before.body.totals);
    // The list shows the rows that are left; its totals come from the rollups.
    const list = await api.get<{ data: unknown[]; totals: { requests: number } }>(`/api/usage?${period}&limit=1000`);
    expect(list.body.data).toHaveLength(400);
    expect(list.body.totals.requests).toBe(1700);
    expect((await zai.server.services.usageMaintenance.runOnce()).pruned).toBe(0);
  });
});

describe('CSV export', () => {
  let zai: Zai;
  let api: ApiClient;
  const rows: UsageTable[] = [];
  const now = Date.now();

  beforeAll(async () => {
    zai = await startZai();
    const acc = await account(zai, 'export@example.com');
    api = acc.api;
    const random = seeded(9);
    const shape = {
      keys: SHAPE.keys,
      models: [...SHAPE.models, 'custom/with,comma "and" quotes', '=HYPERLINK("x")', '-1+2', '@sum'],
    };
    for (let i = 0; i < 12_000; i++) {
      // Half of them at one instant: pages must break ties by id.
      const t = i % 2 === 0 ? now - HOUR : now - Math.floor(random() * DAY);
      rows.push(randomRow(random, acc.userId, t, shape));
    }
    await writeRows(zai, rows);
    const other = await account(zai, 'other-exporter@example.com');
    await writeRows(zai, [randomRow(random, other.userId, now - HOUR, SHAPE)]);
  }, 60_000);

  afterAll(async () => {
    await zai?.close();
  });

  it('streams every row of the period as CSV that parses back to the list, oldest first', async () => {
    const since = new Date(now - DAY - MINUTE).toISOString();
    const until = new Date(now).toISOString();
    const res = await api.get(`/api/usage/export?since=${since}&until=${until}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="zai-usage-[0-9TZ-]+-[0-9TZ-]+\.csv"$/);
    const table = parseCsv(res.text);
    const [header, ...cells] = table;

    // The list's records, every page, oldest first.
    const listed: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { data: Array<Record<string, unknown>>; next_cursor: string | null } } = await api.get(
        `/api/usage?since=${since}&until=${until}&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      listed.push(...page.body.data);
      cursor = page.body.next_cursor;
    } while (cursor !== null);
    listed.reverse();
    expect(listed).toHaveLength(12_000);

    expect(header).toEqual([
      'id',
      'created_at',
      'key_id',
      'endpoint',
      'model_requested',
      'model_served',
      'provider',
      'status',
      'error_code',
      'prompt_tokens',
      'completion_tokens',
      'cached_tokens',
      'cost_micro_usd',
      'cost_nano_usd',
      'latency_ms',
      'ttft_ms',
      'stream',
      'attempts',
      'cache_write_tokens',
      'reasoning_tokens',
      'pool_key_id',
      'unpriced',
      'error_message',
    ]);
    const parsed = cells.map((cell) =>
      Object.fromEntries(
        (header as string[]).map((name, i) => {
          const raw = unguard(cell[i] as string);
          if (
            [
              'status',
              'prompt_tokens',
              'completion_tokens',
              'cached_tokens',
              'cost_micro_usd',
              'cost_nano_usd',
              'latency_ms',
              'attempts',
              'cache_write_tokens',
              'reasoning_tokens',
            ].includes(name)
          )
            return [name, Number(raw)];
          if (name === 'ttft_ms') return [name, raw === '' ? null : Number(raw)];
          if (name === 'stream' || name === 'unpriced') return [name, raw === 'true'];
          if (['model_served', 'provider', 'error_code', 'pool_key_id', 'error_message'].includes(name))
            return [name, raw === '' ? null : raw];
          return [name, raw];
        }),
      ),
    );
    expect(parsed).toEqual(listed.map((r) => Object.fromEntries((header as string[]).map((name) => [name, r[name]]))));
    // Formula-like model names are guarded in the file, and nothing but the listed columns is there.
    const text = cells.map((c) => c.join(',')).join('\n');
    expect(text).toContain(`'=HYPERLINK("x")`);
    expect(text).toContain(`'-1+2`);
    // Error messages with commas and quotes come back whole, and unpriced rows are marked.
    expect(parsed.some((r) => typeof r.error_message === 'string' && r.error_message.includes('"slow down, please"'))).toBe(true);
    expect(parsed.some((r) => r.unpriced === true)).toBe(true);
    expect(parsed.some((r) => typeof r.pool_key_id === 'string')).toBe(true);
  });

  it('takes the list filters, and a client that goes away mid-file leaves the server serving', async () => {
    const res = await api.get('/api/usage/export?key_id=key_two&status_class=2xx');
    const lines = parseCsv(res.text).slice(1);
    const expected = rows.filter((r) => r.key_id === 'key_two' && r.status < 300);
    expect(lines.map((l) => l[0]).sort()).toEqual(expected.map((r) => r.id).sort());

    const login = await fetch(`${zai.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'export@example.com', password: 'correct horse battery' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const aborted = new AbortController();
    const partial = await fetch(`${zai.url}/api/usage/export`, { headers: { cookie }, signal: aborted.signal });
    expect(partial.status).toBe(200);
    const reader = partial.body?.getReader();
    await reader?.read();
    aborted.abort();
    const bad = await api.get<{ error: { param: string } }>('/api/usage/export?since=soon');
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('since');
    // From a fixed start: the default (24 hours before now) moves past the oldest rows as the test runs.
    const again = await api.get<{ totals: { requests: number } }>(
      `/api/usage/summary?bucket=1h&since=${new Date(now - DAY - MINUTE).toISOString()}`,
    );
    expect(again.status).toBe(200);
    expect(again.body.totals.requests).toBe(12_000);
  });
});
