/**
 * What the request fuzzing found, pinned down as plain end-to-end cases on the real server with
 * the fuzzing's fake upstream: non-string tool-call arguments, deeply nested pass-through values,
 * router-level refusals and a Gemini error with a fractional code all get an answer below 500 in
 * OpenAI's error shape (or pass).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzServer, type FuzzServer } from '../helpers/fuzz-server.js';
import { DEEP_TEXT } from '../helpers/request-bodies.js';
import { problems, send, type Probe } from '../helpers/request-probes.js';

let server: FuzzServer;

beforeAll(async () => {
  server = await startFuzzServer();
});

afterAll(async () => {
  await server?.close();
});

describe('what the fuzzing found, pinned down', () => {
  const call = (model: string, message: Record<string, unknown>): Probe => ({
    method: 'POST',
    path: '/v1/chat/completions',
    body: {
      json: {
        model,
        messages: [
          { role: 'user', content: 'weather?' },
          message,
          { role: 'tool', tool_call_id: 'call_1', content: '{"temp":18}' },
        ],
      },
    },
    contentType: 'application/json',
    auth: 'plain',
  });

  it.each(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'])(
    '%s: tool_calls[].function.arguments that is not a string (object, array, number, null, missing) is a 400 or passes, never a 500',
    async (model) => {
      const found: string[] = [];
      for (const args of [{ city: 'Paris' }, ['{}'], 42, null, undefined]) {
        const fn: Record<string, unknown> = { name: 'get_weather' };
        if (args !== undefined) fn.arguments = args;
        const answer = await send(
          server,
          call(model, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: fn }] }),
        );
        found.push(...problems(answer));
      }
      expect(found).toEqual([]);
    },
  );

  it.each(['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash'])(
    '%s: a deeply nested JSON value (12,000 levels, 24 kB) in a pass-through field is a 400 or passes, never a 500',
    async (model) => {
      const found: string[] = [];
      for (const field of ['metadata', 'user', 'tool_choice']) {
        const text = JSON.stringify({
          model,
          messages: [{ role: 'user', content: 'hi' }],
          [field]: '\u0000DEEP_ARRAY\u0000',
        }).replace('"\\u0000DEEP_ARRAY\\u0000"', DEEP_TEXT['"\\u0000DEEP_ARRAY\\u0000"'] ?? '');
        found.push(
          ...problems(
            await send(server, {
              method: 'POST',
              path: '/v1/chat/completions',
              body: { raw: new TextEncoder().encode(text) },
              contentType: 'application/json',
              auth: 'plain',
            }),
          ),
        );
      }
      expect(found).toEqual([]);
    },
  );

  it("router-level refusals (an id longer than maxParamLength, a malformed percent-escape) are answered in OpenAI's error shape", async () => {
    const found: string[] = [];
    for (const path of [
      `/api/keys/${'x'.repeat(300)}`,
      `/api/providers/${'x'.repeat(300)}`,
      '/api/keys/%E2%82',
      '/api/providers/%zz',
    ]) {
      found.push(
        ...problems(
          await send(server, {
            method: 'PATCH',
            path,
            body: { json: { name: 'x' } },
            contentType: 'application/json',
            auth: 'session',
          }),
        ),
      );
    }
    expect(found).toEqual([]);
  });

  it('a Gemini error whose code is not an integer (450.5) still maps to a valid HTTP status, streamed or not', async () => {
    const found: string[] = [];
    for (const stream of [false, true]) {
      const answer = await send(server, {
        method: 'POST',
        path: '/v1/chat/completions',
        body: { json: { model: 'gemini/gemini-fractional-code', messages: [{ role: 'user', content: 'hi' }], stream } },
        contentType: 'application/json',
        auth: 'plain',
      });
      // Not streamed, the answer's own 400 stands. Streamed, the 200 carried a garbled error: that is
      // the upstream's fault, so 502 upstream_error (an integer status either way).
      expect(answer.status).toBe(stream ? 502 : 400);
      found.push(...problems(answer).filter((p) => !(stream && p.startsWith('status 502'))));
    }
    expect(found).toEqual([]);
  });
});
