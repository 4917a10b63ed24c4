/**
 * Request fuzzing end to end: the real server, with OpenAI, Anthropic and Gemini providers pointing
 * at a fake upstream that answers every call normally, receives hundreds of random bodies — random
 * JSON, random bytes sent as JSON, valid requests with wrong values anywhere, deeply nested values,
 * prototype-pollution keys — on the gateway (`/v1/chat/completions`, `/v1/embeddings`, with a plain
 * and a capped key) and on the management API (`/api/keys`, `/api/providers`, `/api/prices`, with a
 * session).
 *
 * Every answer must be < 500; every error body must have OpenAI's shape
 * `{"error":{"message","type","code","param"}}`; every 200 stream must end with `[DONE]`; no
 * "unhandled error" may be logged; and the server must still be healthy afterwards.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js';
import { CHAT_BODY, EMBEDDINGS_BODY, KEY_BODY, PRICE_BODY, PROVIDER_BODY } from '../helpers/request-bodies.js';
import { probes, problems, send, sendAll, type Answer, type Probe } from '../helpers/request-probes.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0xf022);

let server: FuzzServer;

async function fuzz(probes: fc.Arbitrary<Probe>, numRuns: number, seed: number): Promise<Answer[]> {
  const answers = await sendAll(server, fc.sample(probes, { seed, numRuns }));
  const found = answers.flatMap(problems);
  expect(found, `${found.length} bad answers out of ${answers.length}:\n${found.slice(0, 10).join('\n')}`).toEqual([]);
  return answers;
}

beforeAll(async () => {
  server = await startFuzzServer();
});

afterAll(async () => {
  await server?.close();
});

describe('random requests end to end (fuzz)', () => {
  it('the gateway works for a valid request before the fuzzing starts', async () => {
    const answer = await send(server, {
      method: 'POST',
      path: '/v1/chat/completions',
      body: { json: { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] } },
      contentType: 'application/json',
      auth: 'plain',
    });
    expect(answer.status, answer.text).toBe(200);
  });

  it('POST /v1/chat/completions: random bodies never get a 5xx, errors are OpenAI-shaped, streams end with [DONE]', async () => {
    const answers = await fuzz(
      probes(
        'POST',
        fc.constant('/v1/chat/completions'),
        CHAT_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constantFrom('plain', 'plain', 'capped'),
      ),
      300,
      SEED,
    );
    // The run must have reached the upstream, in both modes, not only the validator.
    expect(answers.filter((a) => a.status === 200 && a.contentType.startsWith('text/event-stream')).length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status === 200 && a.contentType.startsWith('application/json')).length).toBeGreaterThan(5);
    expect(answers.filter((a) => a.status === 400).length).toBeGreaterThan(30);
  });

  it('POST /v1/embeddings: random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    const answers = await fuzz(
      probes(
        'POST',
        fc.constant('/v1/embeddings'),
        EMBEDDINGS_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constantFrom('plain', 'capped'),
      ),
      100,
      SEED + 1,
    );
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThan(5);
  });

  it('the gateway answers random bodies without a key (or with a broken one) with OpenAI-shaped 4xx', async () => {
    await fuzz(
      probes(
        'POST',
        fc.constantFrom('/v1/chat/completions', '/v1/embeddings'),
        CHAT_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('none'),
      ),
      40,
      SEED + 2,
    );
  });

  it('POST /api/keys, PATCH /api/keys/:id: random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    await fuzz(
      probes('POST', fc.constant('/api/keys'), KEY_BODY as fc.Arbitrary<Record<string, unknown>>, fc.constant('session')),
      80,
      SEED + 3,
    );
    await fuzz(
      probes(
        'PATCH',
        fc.constantFrom(`/api/keys/${server.existingKeyId}`, '/api/keys/key_doesnotexist', '/api/keys/%00', '/api/keys/%20'),
        KEY_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('session'),
      ),
      40,
      SEED + 4,
    );
  });

  it('POST /api/providers, PATCH /api/providers/:id: random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    await fuzz(
      probes(
        'POST',
        fc.constant('/api/providers'),
        PROVIDER_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('session'),
      ),
      80,
      SEED + 5,
    );
    await fuzz(
      probes(
        'PATCH',
        fc.constantFrom(`/api/providers/${server.existingProviderId}`, '/api/providers/prv_doesnotexist'),
        PROVIDER_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('session'),
      ),
      40,
      SEED + 6,
    );
  });

  it('PUT /api/prices (and POST, which has no route): random bodies never get a 5xx and errors are OpenAI-shaped', async () => {
    await fuzz(
      probes('PUT', fc.constant('/api/prices'), PRICE_BODY as fc.Arbitrary<Record<string, unknown>>, fc.constant('session')),
      80,
      SEED + 7,
    );
    await fuzz(
      probes('POST', fc.constant('/api/prices'), PRICE_BODY as fc.Arbitrary<Record<string, unknown>>, fc.constant('session')),
      20,
      SEED + 8,
    );
  });

  it('the management API answers random bodies without a session with OpenAI-shaped 4xx', async () => {
    await fuzz(
      probes(
        'POST',
        fc.constantFrom('/api/keys', '/api/providers'),
        KEY_BODY as fc.Arbitrary<Record<string, unknown>>,
        fc.constant('none'),
      ),
      30,
      SEED + 9,
    );
  });

  it('is still healthy afterwards: /healthz, a normal completion and normal streams', async () => {
    const health = await fetch(`${server.zai.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    for (const [model, stream] of [
      ['openai/gpt-4o-mini', false],
      ['anthropic/claude-sonnet-4-5', true],
      ['gemini/gemini-2.5-flash', true],
    ] as const) {
      const answer = await send(server, {
        method: 'POST',
        path: '/v1/chat/completions',
        body: { json: { model, messages: [{ role: 'user', content: 'still there?' }], stream } },
        contentType: 'application/json',
        auth: 'plain',
      });
      expect(answer.status, answer.text).toBe(200);
      expect(problems(answer)).toEqual([]);
    }
  });

  it('logged no "unhandled error" while fuzzing (every failure was an anticipated GatewayError)', () => {
    const unhandled = server.zai
      .logs()
      .split('\n')
      .filter((line) => line.includes('unhandled error'));
    const summary = unhandled.map((line) => {
      const err = (JSON.parse(line) as { err?: { type?: string; message?: string; stack?: string } }).err;
      return `${err?.type}: ${err?.message} ${(err?.stack ?? '').split('\n')[1]?.trim() ?? ''}`;
    });
    expect([...new Set(summary)]).toEqual([]);
  });
});
