/**
 * The Anthropic Messages ingress on an OpenAI-compatible provider, end to end: images, thinking,
 * what Claude Code sends, and count_tokens. The official `@anthropic-ai/sdk` talks to the real Z-AI
 * server, which translates to a fake OpenAI upstream speaking the real Chat Completions protocol.
 */
import { describe, expect, it } from 'vitest';
import { grammarErrors, readEvents, type Json } from '../helpers/anthropic-wire.js';
import { bodyOf, OPENAI_DONE, openAIChunk, openAIUsageChunk, writeSse } from '../helpers/fake-upstream.js';
import { MODEL, useMessagesOnOpenAI } from '../helpers/messages-on-openai.js';

const suite = useMessagesOnOpenAI();
const { behaviours, lastCall } = suite;

describe('content', () => {
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

  it('sends base64 and URL images as image_url parts, and images a tool returned in the user turn after the tool message', async () => {
    await suite.client.messages.create({
      model: MODEL,
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_01',
              content: [
                { type: 'text', text: 'Screen captured.' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
              ],
            },
          ],
        },
      ],
    });
    expect(bodyOf(lastCall('gpt-4o-mini')).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'screenshot', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: 'Screen captured.' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('streams reasoning as a thinking block before the text, and drops thinking sent back in the history', async () => {
    behaviours.set('reasoner', (_req, res) =>
      writeSse(res, [
        openAIChunk({ role: 'assistant', content: '' }),
        openAIChunk({ reasoning_content: 'The user wants ' }),
        openAIChunk({ reasoning_content: 'a number.' }),
        openAIChunk({ content: '42' }, 'stop'),
        openAIUsageChunk(10, 30),
        OPENAI_DONE,
      ]),
    );
    const message = await suite.client.messages
      .stream({
        model: 'openai/reasoner',
        max_tokens: 1000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [
          { role: 'user', content: 'Pick a number.' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Earlier thoughts.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxmU' },
              { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4aDFIT' },
              { type: 'text', text: 'Seven.' },
            ],
          },
          { role: 'user', content: 'Another.' },
        ],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'The user wants a number.', signature: '' },
      { type: 'text', text: '42' },
    ]);
    expect(bodyOf(lastCall('reasoner')).messages).toEqual([
      { role: 'user', content: 'Pick a number.' },
      { role: 'assistant', content: 'Seven.' },
      { role: 'user', content: 'Another.' },
    ]);
  });

  it('takes what Claude Code sends: system messages inside the list, beta flags, metadata, adaptive thinking, effort, deferred tools', async () => {
    const res = await fetch(`${suite.zai.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${suite.key}`,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,effort-2025-11-24',
      },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 32000,
        stream: true,
        metadata: { user_id: '{"device_id":"abc","session_id":"s1"}' },
        thinking: { type: 'adaptive', display: 'omitted' },
        context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
        output_config: { effort: 'high' },
        system: [
          { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332;' },
          { type: 'text', text: 'You are a Claude agent.', cache_control: { type: 'ephemeral' } },
        ],
        tools: [
          {
            name: 'Read',
            description: 'Read a file',
            input_schema: { type: 'object', properties: { path: { type: 'string' } } },
          },
          {
            name: 'DeferredToolPlaceholder',
            description: 'never call this tool',
            input_schema: { type: 'object', properties: {} },
            defer_loading: true,
          },
        ],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is 2+2?', cache_control: { type: 'ephemeral' } }] },
          {
            role: 'system',
            content: [{ type: 'text', text: '# Environment\nPlatform: linux', cache_control: { type: 'ephemeral' } }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    expect(grammarErrors(readEvents(await res.text()))).toEqual([]);
    expect(res.headers.get('x-zai-warnings')?.split(', ').sort()).toEqual(
      ['anthropic-beta', 'context_management', 'max_tokens', 'metadata', 'output_config.effort', 'thinking'].sort(),
    );
    const sent = bodyOf(lastCall('gpt-4o-mini'));
    expect(sent.messages).toEqual([
      { role: 'system', content: 'x-anthropic-billing-header: cc_version=2.1.332;\n\nYou are a Claude agent.' },
      { role: 'user', content: 'What is 2+2?' },
      { role: 'system', content: '# Environment\nPlatform: linux' },
    ]);
    expect((sent.tools as Json[]).map((t) => (t.function as Json).name)).toEqual(['Read', 'DeferredToolPlaceholder']);
    // gpt-4o-mini takes no reasoning_effort: sending it would fail the request.
    expect(sent.reasoning_effort).toBeUndefined();
    expect(sent.max_completion_tokens).toBe(16384);
  });

  it('maps thinking effort to reasoning_effort for a reasoning model', async () => {
    await suite.client.messages.create({
      model: 'openai/gpt-5.4-mini',
      max_tokens: 1000,
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max' },
      messages: [{ role: 'user', content: 'Prove it.' }],
    });
    expect(bodyOf(lastCall('gpt-5.4-mini')).reasoning_effort).toBe('high');
  });

  it('answers count_tokens with an estimate in Anthropic’s shape', async () => {
    const small = await suite.client.messages.countTokens({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    const large = await suite.client.messages.countTokens({
      model: MODEL,
      system: 'x'.repeat(4000),
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect(large.input_tokens - small.input_tokens).toBe(1000);
    expect(suite.fake.requests.some((r) => r.path.includes('count_tokens'))).toBe(false);
  });
});
