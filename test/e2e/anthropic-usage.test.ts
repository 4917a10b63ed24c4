/**
 * Anthropic behind the OpenAI API, end to end: the usage rows and costs of whole, streamed and cut
 * answers (cache reads and writes, running-total usage). The official `openai` SDK talks to the real
 * Z-AI server, which talks to a fake Anthropic.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicFrames,
  anthropicMessage,
  anthropicSse,
  blockStop,
  MESSAGE_STOP,
  messageDelta,
  messageStart,
  textDelta,
  textStart,
} from '../helpers/anthropic-wire.js';
import { ANTHROPIC_KEY, CATALOG_MODEL, useFakeAnthropic } from '../helpers/fake-anthropic.js';
import { drainStream, json, sleep, writeFrames } from '../helpers/fake-upstream.js';

const suite = useFakeAnthropic();
const { behaviours } = suite;

describe('usage rows', () => {
  type Row = Record<string, unknown> & { id: string };
  async function usageRow(requestId: string): Promise<Row> {
    for (let i = 0; i < 20; i++) {
      const page = await suite.api.get<{ data: Row[] }>('/api/usage?limit=100');
      const row = page.body.data.find((r) => r.id === requestId);
      if (row) return row;
      await sleep(100);
    }
    throw new Error(`no usage row for ${requestId} within 2 s`);
  }

  it('records prompt (including cache reads and writes), completion and cached tokens with the catalog cost', async () => {
    behaviours.set('claude-sonnet-4-5', (_req, res) =>
      json(
        res,
        200,
        anthropicMessage({
          id: 'msg_01Cached',
          content: [{ type: 'text', text: 'Cached answer.' }],
          usage: { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 0, cache_read_input_tokens: 1000 },
        }),
      ),
    );
    try {
      const { data, response } = await suite.client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'cached?' }] })
        .withResponse();
      expect(data.usage).toMatchObject({
        prompt_tokens: 1100,
        completion_tokens: 50,
        total_tokens: 1150,
        prompt_tokens_details: { cached_tokens: 1000 },
      });
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({
        model_requested: CATALOG_MODEL,
        model_served: CATALOG_MODEL,
        provider: 'anthropic',
        status: 200,
        prompt_tokens: 1100,
        completion_tokens: 50,
        cached_tokens: 1000,
        stream: false,
      });
      // claude-sonnet-4-5: $3 in, $0.30 cached, $15 out per Mtok → 100×3 + 1000×0.3 + 50×15 µ$ = 1350 µ$.
      expect(row.cost_nano_usd).toBe(1_350_000);
      expect(response.headers.get('x-zai-cost-micro-usd')).toBe('1350');
    } finally {
      behaviours.delete('claude-sonnet-4-5');
    }
  });

  it('a streamed request records the final running totals, not their sum', async () => {
    behaviours.set('claude-sonnet-4-5', (_req, res) =>
      anthropicFrames(res, [
        anthropicSse(
          messageStart('msg_01StreamCached', {
            input_tokens: 10,
            output_tokens: 1,
            cache_creation_input_tokens: 200,
            cache_read_input_tokens: 0,
          }),
          '\r\n',
        ),
        anthropicSse(textStart(0), '\r\n'),
        anthropicSse(textDelta(0, 'streamed'), '\r\n'),
        anthropicSse(blockStop(0), '\r\n'),
        anthropicSse(messageDelta('end_turn', { output_tokens: 4 }), '\r\n'),
        anthropicSse(messageDelta('end_turn', { input_tokens: 10, cache_creation_input_tokens: 200, output_tokens: 12 }), '\r\n'),
        anthropicSse(MESSAGE_STOP, '\r\n'),
      ]),
    );
    try {
      const { data: stream, response } = await suite.client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })
        .withResponse();
      for await (const _chunk of stream) {
        // drain
      }
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({
        status: 200,
        stream: true,
        prompt_tokens: 210,
        completion_tokens: 12,
        cached_tokens: 0,
        cache_write_tokens: 200,
      });
      // 10 × 3 + 200 × 3.75 (5-minute cache writes, 1.25× the input price) + 12 × 15 µ$ = 960 µ$.
      expect(row.cost_nano_usd).toBe(960_000);
    } finally {
      behaviours.delete('claude-sonnet-4-5');
    }
  });

  it('a stream cut after much text is not billed as if only the provisional output_tokens of message_start were generated', async () => {
    // message_start carries a provisional output_tokens (1); the real count only comes in
    // message_delta. Here the connection dies after ~3 000 bytes of text (≈600 tokens of "word ").
    const piece = 'word '.repeat(60);
    const deltas = 10;
    behaviours.set('claude-sonnet-4-5', (_req, res) =>
      writeFrames(
        res,
        [
          anthropicSse(messageStart('msg_01CutBill', { input_tokens: 10, output_tokens: 1 })),
          anthropicSse(textStart(0)),
          ...Array.from({ length: deltas }, () => anthropicSse(textDelta(0, piece))),
        ],
        { end: 'destroy' },
      ),
    );
    try {
      const { data: stream, response } = await suite.client.chat.completions
        .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], stream: true })
        .withResponse();
      const { text, error } = await drainStream(stream);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect(text.length).toBe(piece.length * deltas);
      const row = await usageRow(response.headers.get('x-zai-request-id')!);
      expect(row).toMatchObject({ status: 502, stream: true, prompt_tokens: 10 });
      // Whatever the policy (one token per streamed byte, as estimate.ts bills cut streams, or
      // anything less generous), 3 000 bytes of text are far more than 100 output tokens;
      // billing 10 × $3 + 1 × $15 per Mtok (45 µ$) would under-bill the key's spend cap.
      expect(row.cost_nano_usd).toBeGreaterThanOrEqual((10 * 3 + 100 * 15) * 1000);
    } finally {
      behaviours.delete('claude-sonnet-4-5');
    }
  });

  it('the provider key never appears in a log line', () => {
    expect(suite.zai.logs()).not.toContain(ANTHROPIC_KEY);
    expect(suite.zai.logs()).not.toContain(ANTHROPIC_KEY.slice(8, 30));
  });
});
