/**
 * ZAI_PRIVATE_UPSTREAMS against the real server: who may point a provider at a non-public address,
 * checked when the provider is saved and again when each connection is made. Every upstream here
 * is a fake on loopback; the metadata and private-range cases are refused at save time or by the
 * resolver check, never by connecting anywhere.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemResolve, type Resolve } from '../../src/egress/upstream-policy.js';
import { ApiClient, startZai, type Zai } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

/** Names only this server's resolver knows: what a DNS record pointing inside would look like. */
let flipAddress = '127.0.0.1';
const resolve: Resolve = async (hostname) => {
  if (hostname === 'llm.test') return [{ address: '127.0.0.1', family: 4 }];
  if (hostname === 'instance-data.test') return [{ address: '169.254.169.254', family: 4 }];
  if (hostname === 'flip.test') return [{ address: flipAddress, family: flipAddress.includes(':') ? 6 : 4 }];
  return systemResolve(hostname);
};

let fake: FakeServer;
let port: number;
const started: Zai[] = [];

async function server(setting: 'admins' | 'all' | 'none', dataDir?: string): Promise<Zai> {
  const zai = await startZai({ ZAI_PRIVATE_UPSTREAMS: setting }, dataDir, { resolve });
  started.push(zai);
  return zai;
}

function customProvider(name: string, baseUrl: string) {
  return { provider: 'custom', name, api_key: '', base_url: baseUrl };
}

const clients = new Map<ApiClient, string>();

async function signup(zai: Zai, email: string): Promise<ApiClient> {
  const api = new ApiClient(zai.url);
  const res = await api.signup(email);
  expect(res.status, res.text).toBe(201);
  clients.set(api, zai.url);
  return api;
}

async function login(zai: Zai, email: string): Promise<ApiClient> {
  const api = new ApiClient(zai.url);
  const res = await api.post('/api/auth/login', { email, password: 'correct horse battery' });
  expect(res.status, res.text).toBe(200);
  clients.set(api, zai.url);
  return api;
}

/** A Z-AI key of the account, in the official SDK. */
async function keyFor(api: ApiClient): Promise<OpenAI> {
  const key = await api.post('/api/keys', { name: 'k' });
  expect(key.status, key.text).toBe(201);
  return new OpenAI({ apiKey: String(key.body.key), baseURL: `${clients.get(api) ?? ''}/v1`, maxRetries: 0 });
}

async function chatError(client: OpenAI, model: string): Promise<{ status: number; code: unknown; message: string }> {
  try {
    await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
  } catch (err) {
    const e = err as { status: number; code: unknown; message: string };
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error('the request succeeded');
}

beforeAll(async () => {
  fake = await startFakeServer((req, res) => {
    if (req.path.endsWith('/models')) return json(res, 200, { object: 'list', data: [{ id: 'llama', object: 'model' }] });
    if (req.path.endsWith('/embeddings'))
      return json(res, 200, { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.5] }], usage: {} });
    return json(res, 200, openAICompletion({ content: 'from loopback' }));
  });
  port = Number(new URL(fake.url).port);
});

afterAll(async () => {
  for (const zai of started) await zai.close();
  await fake.close();
});

describe('ZAI_PRIVATE_UPSTREAMS=admins (the default)', () => {
  let zai: Zai;
  let admin: ApiClient;
  let member: ApiClient;

  beforeAll(async () => {
    zai = await server('admins');
    admin = await signup(zai, 'admin@example.com');
    member = await signup(zai, 'member@example.com');
  });

  it("the admin's provider on the gateway's own loopback works (Ollama on localhost for a single-user install)", async () => {
    const saved = await admin.post('/api/providers', customProvider('ollama', `http://localhost:${port}/v1`));
    expect(saved.status, saved.text).toBe(201);
    const client = await keyFor(admin);
    const answer = await client.chat.completions.create({ model: 'ollama/llama', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe('from loopback');
    // A name only the gateway's resolver knows: the socket connected to the address it checked.
    expect((await admin.post('/api/providers', customProvider('named', `http://llm.test:${port}/v1`))).status).toBe(201);
    const named = await client.chat.completions.create({ model: 'named/llama', messages: [{ role: 'user', content: 'hi' }] });
    expect(named.choices[0]?.message.content).toBe('from loopback');
  });

  it('a member cannot save a loopback or private base URL, in any spelling, nor a name that resolves to one', async () => {
    const before = fake.requests.length;
    const spellings = [
      `http://127.0.0.1:${port}/v1`,
      `http://127.1:${port}/v1`,
      `http://0x7f000001:${port}/v1`,
      `http://2130706433:${port}/v1`,
      `http://0177.0.0.1:${port}/v1`,
      `http://127.0.0.1.:${port}/v1`,
      `http://[::1]:${port}/v1`,
      `http://[::ffff:127.0.0.1]:${port}/v1`,
      `http://localhost:${port}/v1`,
      `http://LOCALHOST.:${port}/v1`,
      `http://llm.test:${port}/v1`,
      'http://10.0.0.1/v1',
      'http://172.16.5.4/v1',
      'http://192.168.1.10/v1',
      'http://100.64.0.1/v1',
      'http://[fe80::1]/v1',
      'http://[fd12:3456::1]/v1',
      'http://0.0.0.0/v1',
    ];
    for (const baseUrl of spellings) {
      const res = await member.post('/api/providers', customProvider('inside', baseUrl));
      expect(res.status, baseUrl).toBe(400);
      expect(res.body.error, baseUrl).toMatchObject({
        code: 'base_url_not_allowed',
        param: 'base_url',
        type: 'invalid_request_error',
      });
      expect(String((res.body.error as { message: string }).message)).toContain('ZAI_PRIVATE_UPSTREAMS=admins');
    }
    // A built-in provider's base URL override is checked the same way.
    const openai = await member.post('/api/providers', {
      provider: 'openai',
      api_key: 'sk-test-0123456789abcdefghij',
      base_url: `http://127.1:${port}/v1`,
    });
    expect(openai.body.error).toMatchObject({ code: 'base_url_not_allowed' });
    // Nothing was saved, nothing was called.
    expect((await member.get<{ data: unknown[] }>('/api/providers')).body.data).toEqual([]);
    expect(fake.requests.length).toBe(before);
  });

  it('a member cannot move a saved provider to a loopback address either', async () => {
    const saved = await member.post('/api/providers', {
      provider: 'openai',
      api_key: 'sk-test-0123456789abcdefghij',
      base_url: 'https://api.openai.com/v1',
    });
    expect(saved.status, saved.text).toBe(201);
    const moved = await member.patch(`/api/providers/${String(saved.body.id)}`, { base_url: `http://localhost:${port}/v1` });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toMatchObject({ code: 'base_url_not_allowed' });
    const list = await member.get<{ data: Array<{ base_url: string }> }>('/api/providers');
    expect(list.body.data.map((p) => p.base_url)).toEqual(['https://api.openai.com/v1']);
  });
});

describe('the setting changed after a provider was saved: refused when connecting', () => {
  let member: ApiClient;
  let admin: ApiClient;
  let zai: Zai;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-private-'));

  beforeAll(async () => {
    // Saved while everyone could use private addresses…
    const open = await server('all', dataDir);
    admin = await signup(open, 'admin@example.com');
    member = await signup(open, 'member@example.com');
    for (const [name, baseUrl] of [
      ['literal', `http://127.0.0.1:${port}/v1?token=query-secret-value`],
      ['named', `http://llm.test:${port}/v1`],
    ]) {
      expect((await member.post('/api/providers', customProvider(String(name), String(baseUrl)))).status).toBe(201);
    }
    expect((await admin.post('/api/providers', customProvider('mine', `http://127.0.0.1:${port}/v1`))).status).toBe(201);
    const client = await keyFor(member);
    const ok = await client.chat.completions.create({ model: 'named/llama', messages: [{ role: 'user', content: 'hi' }] });
    expect(ok.choices[0]?.message.content).toBe('from loopback');
    await open.close();
    // …then the operator went back to the default.
    zai = await server('admins', dataDir);
    member = await login(zai, 'member@example.com');
    admin = await login(zai, 'admin@example.com');
  });

  it("the member's chat and embeddings answer 400 upstream_address_not_allowed, and nothing reaches the upstream", async () => {
    const before = fake.requests.length;
    const client = await keyFor(member);
    for (const model of ['literal/llama', 'named/llama']) {
      const err = await chatError(client, model);
      expect(err.status, model).toBe(400);
      expect(err.code, model).toBe('upstream_address_not_allowed');
      expect(err.message).toContain('loopback address');
      expect(err.message).toContain('ZAI_PRIVATE_UPSTREAMS=admins');
    }
    const embeddings = await client.embeddings
      .create({ model: 'named/embed', input: 'x', encoding_format: 'float' })
      .catch((e: { status: number; code: unknown }) => e);
    expect(embeddings).toMatchObject({ status: 400, code: 'upstream_address_not_allowed' });
    expect(fake.requests.length).toBe(before);
  });

  it("the refusal is logged with the host and address, without the URL's query", async () => {
    const client = await keyFor(member);
    await chatError(client, 'literal/llama');
    const lines = zai
      .logs()
      .split('\n')
      .filter((line) => line.includes('upstream address refused'));
    expect(lines.length).toBeGreaterThan(0);
    const line = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
    expect(line).toMatchObject({ host: '127.0.0.1', address: '127.0.0.1', range: 'loopback', owner: 'member' });
    expect(line.url).toBe(`http://127.0.0.1:${port}/v1`);
    expect(zai.logs()).not.toContain('query-secret-value');
  });

  it("the member's /v1/models lists nothing from those servers and the Test button says why", async () => {
    const before = fake.requests.length;
    const client = await keyFor(member);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([]);
    const providers = await member.get<{ data: Array<{ id: string; name: string }> }>('/api/providers');
    const named = providers.body.data.find((p) => p.name === 'named');
    const test = await member.post(`/api/providers/${String(named?.id)}/test`);
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: false, status: 400 });
    expect(String(test.body.message)).toContain('llm.test resolves to a loopback address');
    expect(fake.requests.length).toBe(before);
  });

  it("the admin's provider on the same address still works", async () => {
    const client = await keyFor(admin);
    const answer = await client.chat.completions.create({ model: 'mine/llama', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe('from loopback');
  });
});

describe('ZAI_PRIVATE_UPSTREAMS=none and =all', () => {
  it('none refuses the admin at save time, and at connect time for what was saved before', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zai-private-'));
    const before = await server('admins', dataDir);
    const admin = await signup(before, 'admin@example.com');
    expect((await admin.post('/api/providers', customProvider('ollama', `http://localhost:${port}/v1`))).status).toBe(201);
    await before.close();

    const zai = await server('none', dataDir);
    const api = await login(zai, 'admin@example.com');
    const refused = await api.post('/api/providers', customProvider('local', `http://127.0.0.1:${port}/v1`));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'base_url_not_allowed' });
    expect(String((refused.body.error as { message: string }).message)).toContain('ZAI_PRIVATE_UPSTREAMS=none');
    const requests = fake.requests.length;
    const err = await chatError(await keyFor(api), 'ollama/llama');
    expect(err).toMatchObject({ status: 400, code: 'upstream_address_not_allowed' });
    expect(fake.requests.length).toBe(requests);
  });

  it('all lets a member use the loopback server, but no one a metadata endpoint, in any spelling', async () => {
    const zai = await server('all');
    await signup(zai, 'admin@example.com');
    const member = await signup(zai, 'member@example.com');
    expect((await member.post('/api/providers', customProvider('ollama', `http://127.1:${port}/v1`))).status).toBe(201);
    const client = await keyFor(member);
    const answer = await client.chat.completions.create({ model: 'ollama/llama', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]?.message.content).toBe('from loopback');

    for (const baseUrl of [
      'http://169.254.169.254/latest/meta-data/',
      'http://169.254.169.254./',
      'http://2852039166/',
      'http://0xa9fea9fe/',
      'http://0251.0376.0251.0376/',
      'http://169.254.43518/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/',
      'http://169.254.170.2/v2/credentials',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://METADATA.GOOGLE.INTERNAL./',
      'http://metadata.goog/',
      'http://metadata/',
      'http://instance-data.test/',
    ]) {
      const res = await member.post('/api/providers', customProvider('meta', baseUrl));
      expect(res.status, baseUrl).toBe(400);
      expect(res.body.error, baseUrl).toMatchObject({ code: 'base_url_not_allowed' });
      expect(String((res.body.error as { message: string }).message)).toContain('cloud metadata endpoint');
    }
  });

  it('all: a name that resolved to an allowed address when saved and to a metadata address later is refused at connect time', async () => {
    const zai = await server('all');
    const admin = await signup(zai, 'admin@example.com');
    flipAddress = '127.0.0.1';
    expect((await admin.post('/api/providers', customProvider('flip', `http://flip.test:${port}/v1`))).status).toBe(201);
    const client = await keyFor(admin);
    const requests = fake.requests.length;
    try {
      // The record now points at the metadata service: the resolver check refuses it, nothing connects.
      flipAddress = 'fd00:ec2::254';
      const err = await chatError(client, 'flip/llama');
      expect(err).toMatchObject({ status: 400, code: 'upstream_address_not_allowed' });
      expect(err.message).toContain('flip.test resolves to a cloud metadata endpoint');
    } finally {
      flipAddress = '127.0.0.1';
    }
    expect(fake.requests.length).toBe(requests);
  });

  it('redirects are never followed', async () => {
    const target = await startFakeServer((_req, res) => json(res, 200, openAICompletion()));
    const redirecting = await startFakeServer((_req, res) => {
      res.writeHead(307, { location: `${target.url}/v1/chat/completions` }).end();
    });
    try {
      const zai = await server('all');
      const admin = await signup(zai, 'admin@example.com');
      expect((await admin.post('/api/providers', customProvider('hop', `${redirecting.url}/v1`))).status).toBe(201);
      const err = await chatError(await keyFor(admin), 'hop/llama');
      expect(err.status).toBeGreaterThanOrEqual(400);
      expect(redirecting.requests.length).toBe(1);
      expect(target.requests.length).toBe(0);
    } finally {
      await target.close();
      await redirecting.close();
    }
  });
});
