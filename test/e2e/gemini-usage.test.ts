/**
 * Gemini behind the OpenAI API, end to end: the usage rows and costs recorded from Gemini's
 * usageMetadata (cached and thought tokens, whole and streamed), against the real Z-AI server in
 * front of a fake Gemini (see test/helpers/gemini-gateway.ts).
 */
import { describe, expect, it } from 'vitest';
import { json, sleep, writeFrames } from '../helpers/fake-upstream.js';
import { GEMINI_KEY, CATALOG_MODEL, useGeminiGateway } from '../helpers/gemini-gateway.js';
import { chunk, dataEvent, geminiResponse } from '../helpers/gemini-wire.js';

const gemini = useGeminiGateway();

describe('usage rows', () => {
  type Row = Record<string, unknown> & { id: string };
  async function usageRow(requestId: string): Promise<Row> {
    for (let i = 0; i < 20; i++) {
      const page = await gemini.api.get<{ data: Row[] }>('/api/usage?limit=100');
      const row = page.body.data.find((r) => r.id === requestId);
      if (row) return row;
      await sleep(100);
    }
    throw new Error(`no usage row for ${requestId} within 2 s`);
  }

  it('records prompt (cached included), completion (thoughts included) and cached tokens with the catalog cost', async () => {
    gemini.behaviours.set('gemini-2.5-flash:generateContent', (_req, res) =>
      json(
        res,
        200,
        geminiResponse({
          parts: [{ text: 'From the cache.' }],
          usage: {
            promptTokenCount: 2000,
            cachedContentTokenCount: 1500,
            candidatesTokenCount: 100,
            thoughtsTokenCount: 20,
            totalTokenCount: 2120,
          },
        }),
      ),
    );
    try {
      const { data, response } = await gemini.client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'cached?' }] })
        .withResponse();
      expect(data.usage).toMatchObject({
        prompt_tokens: 2000,
        completion_tokens: 120,
        total_tokens: 2120,
        prompt_tokens_details: { cached_tokens: 1500 },
      });
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({
        model_requested: CATALOG_MODEL,
        model_served: CATALOG_MODEL,
        provider: 'gemini',
        status: 200,
        prompt_tokens: 2000,
        completion_tokens: 120,
        cached_tokens: 1500,
        stream: false,
      });
      // gemini-2.5-flash: $0.30 in, $0.03 cached, $2.50 out per Mtok → 500×0.3 + 1500×0.03 + 120×2.5 µ$ = 495 µ$.
      expect(row.cost_nano_usd).toBe(495_000);
    } finally {
      gemini.behaviours.delete('gemini-2.5-flash:generateContent');
    }
  });

  it('a streamed request records the last cumulative usageMetadata', async () => {
    gemini.behaviours.set('gemini-2.5-flash:streamGenerateContent', (_req, res) =>
      writeFrames(res, [
        dataEvent(
          chunk([{ text: 'a' }], {
            promptTokenCount: 1000,
            cachedContentTokenCount: 600,
            candidatesTokenCount: 10,
            totalTokenCount: 1010,
          }),
          '\r\n',
        ),
        dataEvent(
          chunk(
            [{ text: 'b' }],
            { promptTokenCount: 1000, cachedContentTokenCount: 600, candidatesTokenCount: 30, totalTokenCount: 1030 },
            'STOP',
          ),
          '\r\n',
        ),
      ]),
    );
    try {
      const { data: stream, response } = await gemini.client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })
        .withResponse();
      for await (const _c of stream) {
        // drain
      }
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({ status: 200, stream: true, prompt_tokens: 1000, completion_tokens: 30, cached_tokens: 600 });
      // 400×0.3 + 600×0.03 + 30×2.5 µ$ = 213 µ$.
      expect(row.cost_nano_usd).toBe(213_000);
    } finally {
      gemini.behaviours.delete('gemini-2.5-flash:streamGenerateContent');
    }
  });

  it('the provider key never appears in a log line', () => {
    expect(gemini.zai.logs()).not.toContain(GEMINI_KEY);
    expect(gemini.zai.logs()).not.toContain(GEMINI_KEY.slice(6, 28));
  });
});
