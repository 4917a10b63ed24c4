/**
 * Budget periods under a shifted clock: the server runs as a child process under Debian's
 * `faketime`, started a few seconds before midnight UTC on the last day of a month. A key with a
 * daily and one with a monthly budget, both exhausted, work again after midnight with nothing to
 * do; a weekly one (the week goes on) stays refused. The 402 says when the period resets.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_ENV, SERVE_NODE_FLAGS } from '../../src/cli/serve-flags.js';
import { generateFernetKey } from '../../src/crypto/fernet.js';
import { ApiClient, createTestDatabase, saveLogs, TEST_STORE } from '../helpers/harness.js';
import { json, openAICompletion, sleep, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/zai.js');
/** The server's clock starts here (UTC) and runs on at the normal rate. */
const FAKE_START = '2026-03-31 23:59:45';
const MIDNIGHT = '2026-04-01T00:00:00.000Z';

let child: ChildProcessWithoutNullStreams;
let database: { url: string; drop: () => Promise<void> } | undefined;
let output = '';
let url: string;
let fake: FakeServer;
let api: ApiClient;
const keys: Record<'day' | 'week' | 'month', { id: string; key: string }> = {} as never;

/** SIGTERM to faketime and the server it started, then waits until every process of the group is gone. */
async function stopGroup(process_: ChildProcessWithoutNullStreams): Promise<void> {
  const pid = process_.pid;
  if (pid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(-pid, 'SIGTERM');
  for (let waited = 0; alive() && waited < 15_000; waited += 50) await sleep(50);
  if (alive()) process.kill(-pid, 'SIGKILL');
}

async function startUnderFaketime(extraEnv: Record<string, string>): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-faketime-'));
  // On PostgreSQL the spend ledger is the database's (reservations and period rows in SQL).
  database = TEST_STORE === 'postgres' ? await createTestDatabase() : undefined;
  child = spawn('faketime', ['-f', `@${FAKE_START}`, process.execPath, ...SERVE_NODE_FLAGS, BIN, 'serve'], {
    env: {
      ...SERVE_ENV,
      PATH: process.env.PATH,
      TZ: 'UTC',
      // Only the wall clock moves; timers and performance.now() keep the real monotonic clock.
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
      ZAI_DATA_DIR: dir,
      PORT: '0',
      HOST: '127.0.0.1',
      ZAI_PRIVATE_UPSTREAMS: 'all',
      PROVIDER_KEY_ENCRYPTION_KEY: generateFernetKey(),
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...extraEnv,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    // faketime runs the server as its own child: a group of their own lets both be stopped together.
    detached: true,
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  for (let waited = 0; waited < 20_000; waited += 50) {
    const match = /listening on (http:\/\/[^"\s]+)/.exec(output);
    if (match) return match[1]!;
    await sleep(50);
  }
  throw new Error(`the server did not start: ${output}`);
}

function chat(key: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/m', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
  });
}

interface KeyRow {
  id: string;
  spent_micro_usd: number;
  budget_period: string;
  period_resets_at: string | null;
}

async function keyRow(id: string): Promise<KeyRow> {
  const res = await api.get<{ data: KeyRow[] }>('/api/keys');
  return res.body.data.find((k) => k.id === id)!;
}

function scenario(name: string, extraEnv: Record<string, string>): void {
  describe(name, () => {
    beforeAll(async () => {
      output = '';
      // Each answer reports 1,000 + 1,000 tokens: 2,000 micro-USD at $1 per million tokens.
      fake = await startFakeServer((_req, res) =>
        json(res, 200, openAICompletion({ usage: { prompt_tokens: 1000, completion_tokens: 1000 } })),
      );
      url = await startUnderFaketime(extraEnv);
      api = new ApiClient(url);
      expect((await api.signup('period@example.com')).status).toBe(201);
      const provider = await api.post('/api/providers', {
        provider: 'openai',
        api_key: 'sk-test-0123456789abcdefghij',
        base_url: `${fake.url}/v1`,
      });
      expect(provider.status, provider.text).toBe(201);
      await api.put('/api/prices', { model: 'openai/m', input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
      for (const period of ['day', 'week', 'month'] as const) {
        const res = await api.post('/api/keys', { name: period, spend_cap_micro_usd: 2000, budget_period: period });
        expect(res.status, res.text).toBe(201);
        keys[period] = { id: String(res.body.id), key: String(res.body.key) };
      }
    }, 40_000);

    afterAll(async () => {
      await stopGroup(child);
      saveLogs(output);
      await fake.close();
      await database?.drop();
    });

    it('an exhausted daily or monthly budget works again after midnight UTC; a weekly one does not', async () => {
      for (const period of ['day', 'week', 'month'] as const) {
        const first = await chat(keys[period].key);
        expect(first.status, await first.clone().text()).toBe(200);
      }
      // On PostgreSQL an answer's cost lands with its usage row (written within 250 ms); until then
      // its reservation holds only the worst case, and this upstream answers past max_tokens.
      await sleep(400);
      for (const period of ['day', 'week', 'month'] as const) {
        const second = await chat(keys[period].key);
        expect(second.status).toBe(402);
        const error = ((await second.json()) as { error: { code: string; message: string } }).error;
        expect(error.code).toBe('spend_cap_reached');
        expect(error.message).toContain(period === 'week' ? '2026-04-06T00:00:00.000Z' : MIDNIGHT);
      }
      await sleep(400);
      const before = await keyRow(keys.day.id);
      expect(before).toMatchObject({ budget_period: 'day', spent_micro_usd: 2000, period_resets_at: MIDNIGHT });
      expect((await keyRow(keys.month.id)).period_resets_at).toBe(MIDNIGHT);

      // Nothing to do but wait for the server's clock to pass midnight.
      let after = before;
      for (let waited = 0; after.period_resets_at === MIDNIGHT && waited < 30_000; waited += 250) {
        await sleep(250);
        after = await keyRow(keys.day.id);
      }
      expect(after).toMatchObject({ spent_micro_usd: 0, period_resets_at: '2026-04-02T00:00:00.000Z' });
      expect(await keyRow(keys.month.id)).toMatchObject({ spent_micro_usd: 0, period_resets_at: '2026-05-01T00:00:00.000Z' });
      expect(await keyRow(keys.week.id)).toMatchObject({ spent_micro_usd: 2000, period_resets_at: '2026-04-06T00:00:00.000Z' });

      expect((await chat(keys.day.key)).status).toBe(200);
      expect((await chat(keys.month.key)).status).toBe(200);
      expect((await chat(keys.week.key)).status).toBe(402);
      // The new day's spend, and the old day's is still in the key's usage.
      await sleep(400);
      expect((await keyRow(keys.day.id)).spent_micro_usd).toBe(2000);
      expect((await chat(keys.day.key)).status).toBe(402);
    }, 60_000);
  });
}

scenario('budget periods', {});
// Several replicas share spend through Redis: the same with the Redis ledger (once, not per store).
if (TEST_STORE === 'sqlite') {
  scenario('budget periods on the Redis ledger', {
    REDIS_URL: 'redis://127.0.0.1:6379',
    ZAI_REDIS_PREFIX: `zai-t-${Date.now().toString(36)}:`,
  });
}
