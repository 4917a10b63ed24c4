/**
 * Importing a LiteLLM-format price list (a fixture written for this test): over HTTP by an admin
 * and with `zai prices import FILE`. Prices are mapped to Z-AI's model strings and bill requests at
 * once; a malformed, negative or non-finite price refuses the file and changes nothing; a move of
 * more than 10× waits for confirmation; an account's own prices still win.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startZai, TEST_ENCRYPTION_KEY, type Zai } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../fixtures/litellm-prices.json');
const BIN = path.resolve(here, '../../bin/zai.js');
const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, Record<string, unknown>>;

type Json = Record<string, unknown>;

let zai: Zai;
let fake: FakeServer;
let admin: ApiClient;
let member: ApiClient;
let memberKey: string;

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer((_req, res) =>
    json(res, 200, openAICompletion({ usage: { prompt_tokens: 1000, completion_tokens: 1000 } })),
  );
  admin = new ApiClient(zai.url);
  expect((await admin.signup('admin-prices@example.com')).status).toBe(201);
  member = new ApiClient(zai.url);
  expect((await member.signup('member-prices@example.com')).status).toBe(201);
  await member.post('/api/providers', {
    provider: 'openai',
    api_key: 'sk-test-0123456789abcdefghij',
    base_url: `${fake.url}/v1`,
  });
  memberKey = String((await member.post('/api/keys', { name: 'k' })).body.key);
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

async function price(client: ApiClient, model: string): Promise<Json | undefined> {
  const res = await client.get<{ data: Json[] }>('/api/prices');
  return res.body.data.find((p) => p.model === model);
}

async function costOfChat(): Promise<string | null> {
  const res = await fetch(`${zai.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${memberKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-zai-cost-micro-usd');
}

describe('POST /api/admin/prices/import', () => {
  it('is for admins only', async () => {
    const res = await member.post('/api/admin/prices/import', fixture);
    expect(res.status).toBe(403);
  });

  it('imports the list, reports what changed, and bills at the imported prices', async () => {
    // The shipped catalog: $0.15 in, $0.60 out → 1,000 × 0.15 + 1,000 × 0.60 = 750 micro-USD.
    expect(await costOfChat()).toBe('750');
    const res = await admin.post<Json>('/api/admin/prices/import', fixture);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ applied: true, unchanged: 1, skipped: 3, big_moves: [] });
    expect(res.body.changed).toEqual([
      {
        model: 'openai/gpt-4o-mini',
        from: { input_usd_per_mtok: 0.15, output_usd_per_mtok: 0.6 },
        to: { input_usd_per_mtok: 0.2, output_usd_per_mtok: 0.8 },
      },
      { model: 'anthropic/claude-sonnet-new', from: null, to: { input_usd_per_mtok: 3, output_usd_per_mtok: 15 } },
    ]);
    expect(await price(member, 'openai/gpt-4o-mini')).toMatchObject({
      source: 'catalog',
      input_usd_per_mtok: 0.2,
      output_usd_per_mtok: 0.8,
      cached_input_usd_per_mtok: 0.1,
    });
    expect(await price(member, 'anthropic/claude-sonnet-new')).toMatchObject({
      cache_write_5m_usd_per_mtok: 3.75,
      cache_write_1h_usd_per_mtok: 6,
      cached_input_usd_per_mtok: 0.3,
    });
    // 1,000 × 0.2 + 1,000 × 0.8.
    expect(await costOfChat()).toBe('1000');
  });

  it.each([
    ['a negative price', { 'gpt-4o-mini': { ...fixture['gpt-4o-mini'], input_cost_per_token: -1e-7 } }, 'must not be negative'],
    [
      'a price as a string',
      { 'gpt-4o-mini': { ...fixture['gpt-4o-mini'], output_cost_per_token: '8e-7' } },
      'must be a finite number',
    ],
    [
      'a non-finite price',
      '{"gpt-4o-mini": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e999, "output_cost_per_token": 0}}',
      'must be a finite number',
    ],
    ['an entry that is not an object', { 'gpt-4o-mini': 3 }, 'must be an object'],
  ])('refuses %s with a clear message and changes nothing', async (_name, body, message) => {
    const res = await admin.request<{ error: { message: string } }>('POST', '/api/admin/prices/import', body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(res.body.error.message).toContain('nothing changed');
    expect(await price(member, 'openai/gpt-4o-mini')).toMatchObject({ input_usd_per_mtok: 0.2 });
  });

  it('asks for confirmation before a price moves by more than 10×', async () => {
    const body = { 'gpt-4o-mini': { ...fixture['gpt-4o-mini'], input_cost_per_token: 2e-5 } };
    const refused = await admin.request<{ error: { code: string; message: string } }>('POST', '/api/admin/prices/import', body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('confirmation_required');
    expect(refused.body.error.message).toContain('openai/gpt-4o-mini 0.2/0.8 → 20/0.8');
    expect(await price(member, 'openai/gpt-4o-mini')).toMatchObject({ input_usd_per_mtok: 0.2 });
    const confirmed = await admin.request<Json>('POST', '/api/admin/prices/import?yes=true', body);
    expect(confirmed.status).toBe(200);
    expect(await price(member, 'openai/gpt-4o-mini')).toMatchObject({ input_usd_per_mtok: 20 });
  });

  it("leaves an account's own price in charge", async () => {
    await member.put('/api/prices', { model: 'openai/gpt-4o-mini', input_usd_per_mtok: 1, output_usd_per_mtok: 1 });
    expect(await price(member, 'openai/gpt-4o-mini')).toMatchObject({ source: 'custom', input_usd_per_mtok: 1 });
    expect(await costOfChat()).toBe('2000');
  });
});

describe('zai prices import FILE', () => {
  const run = promisify(execFile);
  async function zaiCli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
        env: { PATH: process.env.PATH, ZAI_DATA_DIR: dataDir, PROVIDER_KEY_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY },
        timeout: 20_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('prints what changed, refuses a bad file, and needs --yes for a 10× move', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-prices-'));
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ 'gpt-4o-mini': { ...fixture['gpt-4o-mini'], input_cost_per_token: -1 } }));
    const refused = await zaiCli(['prices', 'import', bad], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('gpt-4o-mini.input_cost_per_token must not be negative');

    const ok = await zaiCli(['prices', 'import', FIXTURE], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('openai/gpt-4o-mini: 0.15 / 0.6 → 0.2 / 0.8 USD per million tokens');
    expect(ok.stdout).toContain('anthropic/claude-sonnet-new: new → 3 / 15');
    expect(ok.stdout).toContain('Imported: 2 changed, 1 unchanged, 3 skipped');

    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, JSON.stringify({ 'gpt-4o-mini': { ...fixture['gpt-4o-mini'], output_cost_per_token: 1e-4 } }));
    const unconfirmed = await zaiCli(['prices', 'import', big], dir);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain('run again with --yes');
    expect((await zaiCli(['prices', 'import', big, '--yes'], dir)).code).toBe(0);
  });
});
