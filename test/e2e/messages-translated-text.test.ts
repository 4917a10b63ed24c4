/**
 * The Anthropic Messages ingress on an OpenAI-compatible provider, end to end: text answers, whole
 * and streamed in Anthropic's event grammar. The official `@anthropic-ai/sdk` talks to the real Z-AI
 * server, which translates to a fake OpenAI upstream speaking the real Chat Completions protocol
 * (SSE chunks, usage after the finish reason).
 */
import { describe, expect, it } from 'vitest';
import { grammarErrors, readEvents, type Json } from '../helpers/anthropic-wire.js';
import { bodyOf, OPENAI_DONE, openAIChunk, openAIUsageChunk, writeSse } from '../helpers/fake-upstream.js';
import { MODEL, useMessagesOnOpenAI } from '../helpers/messages-on-openai.js';

const suite = useMessagesOnOpenAI();
const { behaviours, lastCall } = suite;

describe('text', () => {
  it('answers a Message and sends OpenAI a chat request with the system prompt first and max_tokens clamped to the model', async () => {
    const { data, response } = await suite.client.messages
      .create({
        model: MODEL,
        // Above gpt-4o-mini's limit; the SDK itself refuses non-streaming requests above ~21,000.
        max_tokens: 20000,
        system: [
          { type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'Answer in English.' },
        ],
        messages: [{ role: 'user', content: 'Say hello' }],
        // Deprecated in the newest SDK's types, still sent by many clients.
        ...({ temperature: 0.3 } as object),
        stop_sequences: ['###'],
      })
      .withResponse();
    expect(data).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{ type: 'text', text: 'Hello from GPT.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(response.headers.get('x-zai-model')).toBe(MODEL);
    expect(response.headers.get('x-zai-request-id')).toMatch(/^req_/);
    expect(response.headers.get('request-id')).toBe(response.headers.get('x-zai-request-id'));
    // gpt-4o-mini answers at most 16,384 tokens (catalog).
    expect(response.headers.get('x-zai-max-tokens')).toBe('16384');
    expect(response.headers.get('x-zai-warnings')).toBe('max_tokens');
    expect(Number(response.headers.get('x-zai-cost-micro-usd'))).toBeGreaterThan(0);

    const sent = lastCall('gpt-4o-mini');
    expect(sent.headers.authorization).toBe('Bearer sk-test-0123456789abcdefghij');
    expect(bodyOf(sent)).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.\n\nAnswer in English.' },
        { role: 'user', content: 'Say hello' },
      ],
      stop: ['###'],
      temperature: 0.3,
      max_completion_tokens: 16384,
    });
  });

  it('streams in Anthropic’s exact event grammar, with the usage that came after the finish reason in message_delta', async () => {
    behaviours.set('stream-usage-late', (_req, res) =>
      writeSse(
        res,
        [
          openAIChunk({ role: 'assistant', content: '' }),
          openAIChunk({ content: 'Paris ' }),
          openAIChunk({ content: 'is cloudy.' }, 'stop'),
          openAIUsageChunk(120, 7, 100),
          OPENAI_DONE,
        ],
        5,
      ),
    );
    const stream = suite.client.messages.stream({
      model: 'openai/stream-usage-late',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.join('')).toBe('Paris is cloudy.');
    expect(message.content).toEqual([{ type: 'text', text: 'Paris is cloudy.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('openai/stream-usage-late');
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 100 });
    expect(bodyOf(lastCall('stream-usage-late'))).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('writes the raw events in order: message_start with an input estimate, one text block, message_delta, message_stop', async () => {
    const res = await fetch(`${suite.zai.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${suite.key}` },
      body: JSON.stringify({ model: MODEL, max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = readEvents(await res.text());
    expect(grammarErrors(events)).toEqual([]);
    expect(events.map((e) => e.data.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0]?.data.message as Json;
    expect(start.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: 0 });
    expect((start.usage as Json).input_tokens).toBeGreaterThan(0);
    expect(events[5]?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 30, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('keeps content that arrives in the same chunk as the finish reason', async () => {
    behaviours.set('content-with-finish', (_req, res) =>
      writeSse(res, [openAIChunk({ role: 'assistant', content: 'All in one.' }, 'length'), openAIUsageChunk(5, 3), OPENAI_DONE]),
    );
    const message = await suite.client.messages
      .stream({ model: 'openai/content-with-finish', max_tokens: 3, messages: [{ role: 'user', content: 'Go' }] })
      .finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'All in one.' }]);
    expect(message.stop_reason).toBe('max_tokens');
  });
});
