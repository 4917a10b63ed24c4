/**
 * Anthropic behind the OpenAI API, end to end: text, streams and images. The official `openai` SDK
 * talks to the real Z-AI server, which talks to a fake Anthropic speaking the real Messages protocol
 * over HTTP (`x-api-key` + `anthropic-version`, named SSE events, pings, CRLF framing, events split
 * across writes, running-total usage).
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicFrames,
  anthropicSse,
  blockStop,
  MESSAGE_STOP,
  messageDelta,
  messageStart,
  PING,
  textDelta,
  textStart,
} from '../helpers/anthropic-wire.js';
import { ANTHROPIC_KEY, CATALOG_MODEL, useFakeAnthropic } from '../helpers/fake-anthropic.js';
import { bodyOf } from '../helpers/fake-upstream.js';

const suite = useFakeAnthropic();
const { behaviours, lastMessagesCall } = suite;

describe('text', () => {
  it('translates a system prompt to top-level system, strips the provider prefix and defaults max_tokens from the catalog', async () => {
    const { data, response } = await suite.client.chat.completions
      .create({
        model: CATALOG_MODEL,
        messages: [
          { role: 'system', content: 'Answer in one sentence.' },
          { role: 'user', content: 'Say hello' },
        ],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from Claude.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe(CATALOG_MODEL);
    expect(data.object).toBe('chat.completion');
    expect(data.usage).toMatchObject({
      prompt_tokens: 21,
      completion_tokens: 6,
      total_tokens: 27,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(response.headers.get('x-zai-model')).toBe(CATALOG_MODEL);

    const sent = lastMessagesCall('claude-sonnet-4-5');
    expect(sent.method).toBe('POST');
    expect(sent.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(sent.headers.authorization).toBeUndefined();
    // claude-sonnet-4-5 has a 64 000-token maximum output in the catalog.
    expect(bodyOf(sent)).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 64000,
      system: [{ type: 'text', text: 'Answer in one sentence.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
  });

  it('folds several system/developer messages in order, merges same-role turns and maps sampling parameters', async () => {
    await suite.client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'First.' },
        { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
        { role: 'assistant', content: 'Noted.' },
        { role: 'developer', content: 'Use French.' },
        { role: 'user', content: 'Third.' },
      ],
      max_completion_tokens: 300,
      temperature: 0.5,
      top_p: 0.9,
      stop: ['###', 'END'],
      user: 'u-91c2',
    });
    expect(bodyOf(lastMessagesCall('claude-sonnet-4-5'))).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 300,
      system: [
        { type: 'text', text: 'Be terse.' },
        { type: 'text', text: 'Use French.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'First.' },
            { type: 'text', text: 'Second.' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Noted.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Third.' }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      stop_sequences: ['###', 'END'],
      metadata: { user_id: 'u-91c2' },
    });
  });

  it('uses the documented 4096 default max_tokens for a model outside the catalog, and the client value when given', async () => {
    await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-uncatalogued',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(bodyOf(lastMessagesCall('claude-e2e-uncatalogued')).max_tokens).toBe(4096);
    await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-uncatalogued',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 77,
    });
    expect(bodyOf(lastMessagesCall('claude-e2e-uncatalogued')).max_tokens).toBe(77);
  });

  it('names dropped parameters in x-zai-warnings and refuses what Anthropic cannot express', async () => {
    const { response } = await suite.client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], seed: 42, presence_penalty: 0.5 })
      .withResponse();
    const warnings = response.headers.get('x-zai-warnings') ?? '';
    expect(warnings).toContain('seed');
    expect(warnings).toContain('presence_penalty');
    expect(bodyOf(lastMessagesCall('claude-sonnet-4-5'))).not.toHaveProperty('seed');

    const before = suite.fake.requests.length;
    const tooHot = await suite.client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 1.7 })
      .catch((e: unknown) => e);
    expect(tooHot).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooHot as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('temperature');
    const many = await suite.client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], n: 2 })
      .catch((e: unknown) => e);
    expect(many).toBeInstanceOf(OpenAI.BadRequestError);
    expect(suite.fake.requests.length).toBe(before);
  });
});

describe('streaming', () => {
  it('streams text (CRLF framing, pings, events split mid-line) and reports usage once, without double counting running totals', async () => {
    const pieces = ['Bon', 'jour', ', ', 'le ', 'monde', ' — ünïcødé ✓'];
    let upstreamDone = 0;
    behaviours.set('claude-e2e-stream', async (_req, res) => {
      const frames = [
        anthropicSse(
          messageStart('msg_01Stream', {
            input_tokens: 25,
            output_tokens: 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          }),
          '\r\n',
        ),
        anthropicSse(textStart(0), '\r\n'),
        anthropicSse(PING, '\r\n'),
        ...pieces.map((p) => anthropicSse(textDelta(0, p), '\r\n')),
        anthropicSse(PING, '\r\n'),
        anthropicSse(blockStop(0), '\r\n'),
        // Two message_delta events, each carrying running totals (input repeated, output growing).
        anthropicSse(messageDelta('end_turn', { input_tokens: 25, output_tokens: 9 }), '\r\n'),
        anthropicSse(messageDelta('end_turn', { input_tokens: 25, cache_read_input_tokens: 0, output_tokens: 17 }), '\r\n'),
        anthropicSse(MESSAGE_STOP, '\r\n'),
      ];
      await anthropicFrames(res, frames, { pauseMs: 40 });
      upstreamDone = performance.now();
    });

    const stream = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-stream',
      messages: [
        { role: 'system', content: 'Speak French.' },
        { role: 'user', content: 'Greet the world' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    let firstContentAt = 0;
    let text = '';
    for await (const chunk of stream) {
      chunks.push(chunk);
      const piece = chunk.choices[0]?.delta.content ?? '';
      if (piece !== '' && firstContentAt === 0) firstContentAt = performance.now();
      text += piece;
    }
    expect(text).toBe(pieces.join(''));
    // Chunks are relayed as they arrive, not after the upstream finished.
    expect(firstContentAt).toBeGreaterThan(0);
    expect(firstContentAt).toBeLessThan(upstreamDone - 300);
    expect(chunks.every((c) => c.model === 'anthropic/claude-e2e-stream' && c.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null);
    expect(finishes).toEqual(['stop']);
    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    expect(withUsage[0]).toBe(chunks.at(-1));
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 17, total_tokens: 42 });

    const sent = bodyOf(lastMessagesCall('claude-e2e-stream'));
    expect(sent).toEqual({
      model: 'claude-e2e-stream',
      max_tokens: 4096,
      system: [{ type: 'text', text: 'Speak French.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Greet the world' }] }],
      stream: true,
    });
  });

  it('sends no usage chunk unless include_usage was asked for', async () => {
    behaviours.set('claude-e2e-stream-nousage', (_req, res) =>
      anthropicFrames(res, [
        anthropicSse(messageStart('msg_01NoUsage', { input_tokens: 4, output_tokens: 1 })),
        anthropicSse(textStart(0)),
        anthropicSse(textDelta(0, 'ok')),
        anthropicSse(blockStop(0)),
        anthropicSse(messageDelta('max_tokens', { output_tokens: 2 })),
        anthropicSse(MESSAGE_STOP),
      ]),
    );
    const stream = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-stream-nousage',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('ok');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('length');
  });
});

describe('images', () => {
  it('sends a data URL as a base64 image block and an https URL as a url source', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const res = await suite.client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'low' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(res.choices[0]?.message.content).toBe('Hello from Claude.');
    expect(bodyOf(lastMessagesCall('claude-sonnet-4-5')).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('refuses an image type Anthropic does not accept, without calling the upstream', async () => {
    const before = suite.fake.requests.length;
    const err = await suite.client.chat.completions
      .create({
        model: CATALOG_MODEL,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,SUkqAA==' } }] }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(suite.fake.requests.length).toBe(before);
  });
});
