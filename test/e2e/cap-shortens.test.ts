/**
 * A spend cap shortens an answer instead of refusing it: a request with no output limit whose worst
 * case the remaining budget cannot cover is sent with the largest `max_tokens` the budget covers
 * (the fake upstream records it) and says so in `x-zai-warnings`; an explicit unaffordable
 * `max_tokens` gets a 402 naming that figure; a budget that covers no output token gets a 402.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimatePromptTokensUpperBound } from '../../src/billing/estimate.js';
import { accountWithKey, startZai, type ApiClient, type Zai } from '../helpers/harness.js';
import { json, openAICompletion, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

let zai: Zai;
let fake: FakeServer;
let api: ApiClient;

const MESSAGES = [{ role: 'user' as const, content: 'Write a long story about a lighthouse.' }];
/** openai/gpt-6-sol in the catalog: $2 in, $10 out per million tokens, at most 128,000 output tokens. */
const MODEL = 'openai/gpt-6-sol';
/** $0.01. */
const CAP_MICRO = 10_000;

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer((_req, res) =>
    json(res, 200, openAICompletion({ usage: { prompt_tokens: 12, completion_tokens: 40 } })),
  );
  const account = await accountWithKey(zai, { baseUrl: `${fake.url}/v1` });
  api = account.api;
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

async function cappedClient(capMicro: number): Promise<OpenAI> {
  const res = await api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: capMicro });
  expect(res.status).toBe(201);
  return new OpenAI({ apiKey: String(res.body.key), baseURL: `${zai.url}/v1`, maxRetries: 0 });
}

/** The largest output count whose worst case fits $0.01: (1e7 nano − prompt bound × 2,000) / 10,000. */
function expectedMaxTokens(): number {
  const bound = estimatePromptTokensUpperBound({ model: MODEL, messages: MESSAGES });
  return Math.floor((CAP_MICRO * 1000 - bound * 2000) / 10_000);
}

function sentLimit(): unknown {
  const body = fake.requests.at(-1)?.json as { max_tokens?: number; max_completion_tokens?: number };
  return body.max_completion_tokens ?? body.max_tokens;
}

describe('a cap shortens instead of refusing', () => {
  it('sends the largest affordable max_tokens when the client set none, and warns', async () => {
    const client = await cappedClient(CAP_MICRO);
    const { response } = await client.chat.completions.create({ model: MODEL, messages: MESSAGES }).withResponse();
    const expected = expectedMaxTokens();
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(128_000);
    expect(sentLimit()).toBe(expected);
    expect(response.headers.get('x-zai-max-tokens')).toBe(String(expected));
    expect(response.headers.get('x-zai-warnings')).toContain('max_tokens_shortened_to_remaining_budget');
  });

  it('answers 402 naming the affordable max_tokens when the client asked for more', async () => {
    const client = await cappedClient(CAP_MICRO);
    const before = fake.requests.length;
    const err = await client.chat.completions
      .create({ model: MODEL, messages: MESSAGES, max_tokens: 5000 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).toContain(`is ${expectedMaxTokens()}.`);
    expect(fake.requests.length).toBe(before);
    // The named figure is indeed accepted.
    const ok = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: expectedMaxTokens() });
    expect(ok.choices[0]?.message.content).toBe('Hello from the fake.');
  });

  it('answers 402 when not even one output token is affordable after the input', async () => {
    const client = await cappedClient(1);
    const before = fake.requests.length;
    const err = await client.chat.completions.create({ model: MODEL, messages: MESSAGES }).catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((err as InstanceType<typeof OpenAI.APIError>).message).not.toContain('largest max_tokens');
    expect(fake.requests.length).toBe(before);
  });

  it('shortens the same way on /v1/responses when max_output_tokens is absent (a translated provider)', async () => {
    const other = await accountWithKey(zai, {
      provider: 'groq',
      apiKey: 'gsk_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN',
      baseUrl: `${fake.url}/v1`,
    });
    await other.api.put('/api/prices', { model: 'groq/llama-test', input_usd_per_mtok: 2, output_usd_per_mtok: 10 });
    const key = await other.api.post('/api/keys', { name: 'capped', spend_cap_micro_usd: CAP_MICRO });
    const res = await fetch(`${zai.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String(key.body.key)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'groq/llama-test', input: 'Write a long story about a lighthouse.' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const limit = sentLimit();
    expect(typeof limit).toBe('number');
    // Without a catalog maximum the bound would be 4,096 tokens ($0.04 of output): shortened below it.
    expect(limit as number).toBeLessThan(1000);
    expect(limit as number).toBeGreaterThan(900);
    expect(res.headers.get('x-zai-warnings')).toContain('max_tokens_shortened_to_remaining_budget');
  });
});
