/**
 * Gemini behind the OpenAI API, end to end: chat completions whole and streamed, and images, with
 * the official `openai` SDK against the real Z-AI server in front of a fake Gemini (see
 * test/helpers/gemini-gateway.ts): what the client gets, and exactly what Gemini received.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { bodyOf, json, writeFrames } from '../helpers/fake-upstream.js';
import { GEMINI_KEY, CATALOG_MODEL, useGeminiGateway } from '../helpers/gemini-gateway.js';
import { chunk, dataEvent } from '../helpers/gemini-wire.js';

const gemini = useGeminiGateway();

describe('text', () => {
  it('sends the system prompt as systemInstruction to models/{id}:generateContent with x-goog-api-key', async () => {
    const { data, response } = await gemini.client.chat.completions
      .create({
        model: CATALOG_MODEL,
        messages: [
          { role: 'system', content: 'Answer in one sentence.' },
          { role: 'user', content: 'Say hello' },
        ],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from Gemini.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe(CATALOG_MODEL);
    expect(data.id).toBe('chatcmpl-x3a9Z8mQ');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
    expect(response.headers.get('x-zai-model')).toBe(CATALOG_MODEL);

    const sent = gemini.lastCall('gemini-2.5-flash', 'generateContent');
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.path).not.toContain('key=');
    expect(bodyOf(sent)).toEqual({
      systemInstruction: { parts: [{ text: 'Answer in one sentence.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }],
    });
  });

  it('maps roles (assistant → model, merged turns), generationConfig and response_format', async () => {
    await gemini.client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        { role: 'developer', content: 'Be terse.' },
        { role: 'user', content: 'First.' },
        { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
        { role: 'assistant', content: 'Noted.' },
        { role: 'system', content: 'Use French.' },
        { role: 'user', content: 'Third.' },
      ],
      temperature: 1.4,
      top_p: 0.95,
      max_tokens: 300,
      stop: '###',
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
        },
      },
    });
    expect(bodyOf(gemini.lastCall('gemini-2.5-flash', 'generateContent'))).toEqual({
      systemInstruction: { parts: [{ text: 'Be terse.' }, { text: 'Use French.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'First.' }, { text: 'Second.' }] },
        { role: 'model', parts: [{ text: 'Noted.' }] },
        { role: 'user', parts: [{ text: 'Third.' }] },
      ],
      generationConfig: {
        temperature: 1.4,
        topP: 0.95,
        maxOutputTokens: 300,
        stopSequences: ['###'],
        seed: 7,
        responseMimeType: 'application/json',
        responseJsonSchema: {
          type: 'object',
          properties: { a: { type: 'string' } },
          required: ['a'],
          additionalProperties: false,
        },
      },
    });
  });

  it('json_object → responseMimeType application/json', async () => {
    await gemini.client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [{ role: 'user', content: 'JSON please' }],
      response_format: { type: 'json_object' },
    });
    expect(bodyOf(gemini.lastCall('gemini-2.5-flash', 'generateContent')).generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it('names dropped parameters in x-zai-warnings and never forwards OpenAI-only fields', async () => {
    const { response } = await gemini.client.chat.completions
      .create({ model: CATALOG_MODEL, messages: [{ role: 'user', content: 'x' }], user: 'u-1', logit_bias: { '50256': -100 } })
      .withResponse();
    const warnings = response.headers.get('x-zai-warnings') ?? '';
    expect(warnings).toContain('user');
    expect(warnings).toContain('logit_bias');
    expect(bodyOf(gemini.lastCall('gemini-2.5-flash', 'generateContent'))).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
    });
  });

  it('a blocked prompt (no candidates) is a content_filter answer', async () => {
    gemini.behaviours.set('gemini-e2e-blocked:generateContent', (_req, res) =>
      json(res, 200, {
        promptFeedback: { blockReason: 'SAFETY' },
        usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
        responseId: 'blk1',
      }),
    );
    const res = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-blocked',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(res.choices[0]?.finish_reason).toBe('content_filter');
  });
});

describe('streaming', () => {
  it('streams from :streamGenerateContent?alt=sse (CRLF, split events), the SDK text equals what was streamed, usage is the last cumulative value', async () => {
    const pieces = ['Paris is', ' cloudy,', ' 18°C — ', 'ünïcødé ✓'];
    let upstreamDone = 0;
    gemini.behaviours.set('gemini-e2e-stream:streamGenerateContent', async (_req, res) => {
      const frames = pieces.map((text, i) =>
        dataEvent(
          chunk(
            [{ text }],
            // Cumulative counts on every chunk; the last one is the total.
            {
              promptTokenCount: 260,
              candidatesTokenCount: 2 * (i + 1),
              thoughtsTokenCount: 4,
              totalTokenCount: 264 + 2 * (i + 1),
            },
            i === pieces.length - 1 ? 'STOP' : undefined,
          ),
          '\r\n',
        ),
      );
      await writeFrames(res, frames, { pauseMs: 80 });
      upstreamDone = performance.now();
    });

    const stream = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-stream',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    let text = '';
    let firstContentAt = 0;
    for await (const c of stream) {
      chunks.push(c);
      const piece = c.choices[0]?.delta.content ?? '';
      if (piece !== '' && firstContentAt === 0) firstContentAt = performance.now();
      text += piece;
    }
    expect(text).toBe(pieces.join(''));
    expect(firstContentAt).toBeLessThan(upstreamDone - 200);
    expect(chunks.every((c) => c.model === 'gemini/gemini-e2e-stream')).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null)).toEqual(['stop']);
    expect(chunks.filter((c) => c.usage)).toHaveLength(1);
    expect(chunks.at(-1)?.choices).toEqual([]);
    // Thoughts count as completion (OpenAI's reasoning tokens): 8 + 4.
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: 260,
      completion_tokens: 12,
      total_tokens: 272,
      completion_tokens_details: { reasoning_tokens: 4 },
    });

    const sent = gemini.lastCall('gemini-e2e-stream', 'streamGenerateContent');
    expect(sent.path).toBe('/v1beta/models/gemini-e2e-stream:streamGenerateContent?alt=sse');
    expect(sent.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(bodyOf(sent)).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris?' }] }],
    });
  });

  it('sends no usage chunk unless include_usage was asked for', async () => {
    const stream = await gemini.client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello there.');
    expect(chunks.some((c) => c.usage)).toBe(false);
  });
});

describe('images', () => {
  it('sends a data URL as inlineData', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await gemini.client.chat.completions.create({
      model: CATALOG_MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
          ],
        },
      ],
    });
    expect(bodyOf(gemini.lastCall('gemini-2.5-flash', 'generateContent')).contents).toEqual([
      { role: 'user', parts: [{ text: 'What is this?' }, { inlineData: { mimeType: 'image/png', data: png } }] },
    ]);
  });

  it('refuses an http(s) image URL with a 400 and never calls Gemini (the gateway fetches nothing)', async () => {
    const before = gemini.fake.requests.length;
    for (const stream of [false, true]) {
      const err = await gemini.client.chat.completions
        .create({
          model: CATALOG_MODEL,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is this?' },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
              ],
            },
          ],
          stream,
        })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.BadRequestError);
      const e = err as InstanceType<typeof OpenAI.BadRequestError>;
      expect(e.status).toBe(400);
      expect(e.param).toBe('messages[0].content[1].image_url.url');
      expect(e.message).toMatch(/data: URL/);
    }
    expect(gemini.fake.requests.length).toBe(before);
  });
});
