/**
 * The Anthropic Messages ingress on an OpenAI-compatible provider, end to end: tool calls, whole and
 * streamed (parallel calls whose fragments OpenAI interleaves), and server tools. The official
 * `@anthropic-ai/sdk` talks to the real Z-AI server, which translates to a fake OpenAI upstream.
 */
import { describe, expect, it } from 'vitest';
import { grammarErrors, readEvents, type Json } from '../helpers/anthropic-wire.js';
import {
  bodyOf,
  json,
  openAIChunk,
  openAICompletion,
  OPENAI_DONE,
  openAIToolCallCompletion,
  openAIUsageChunk,
  writeSse,
} from '../helpers/fake-upstream.js';
import { MODEL, useMessagesOnOpenAI } from '../helpers/messages-on-openai.js';

const suite = useMessagesOnOpenAI();
const { behaviours, lastCall } = suite;

describe('tools', () => {
  const weatherTool = {
    name: 'get_weather',
    description: 'Current weather for a city',
    input_schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object' as const,
      properties: { city: { type: 'string' } },
      required: ['city'],
    },
    cache_control: { type: 'ephemeral' as const },
  };

  it('round-trips a tool call: tool_use out, tool_result back as a tool message with the same id', async () => {
    behaviours.set('tools-json', (req, res) => {
      const messages = bodyOf(req).messages as Json[];
      if (messages.some((m) => m.role === 'tool')) return json(res, 200, openAICompletion({ content: 'It is 18°C in Lyon.' }));
      return json(res, 200, openAIToolCallCompletion([{ id: 'call_Qm81', name: 'get_weather', arguments: '{"city":"Lyon"}' }]));
    });
    const first = await suite.client.messages.create({
      model: 'openai/tools-json',
      max_tokens: 200,
      tools: [weatherTool],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      messages: [{ role: 'user', content: 'Weather in Lyon?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: 'call_Qm81', name: 'get_weather', input: { city: 'Lyon' } }]);
    expect(bodyOf(lastCall('tools-json'))).toMatchObject({
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            // $schema and cache_control are Anthropic's business; the schema itself is kept.
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });

    const second = await suite.client.messages.create({
      model: 'openai/tools-json',
      max_tokens: 200,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Lyon?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_Qm81', content: [{ type: 'text', text: '{"temp_c":18}' }] },
            { type: 'text', text: 'Answer briefly.' },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'It is 18°C in Lyon.' }]);
    expect((bodyOf(lastCall('tools-json')).messages as Json[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_Qm81', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_Qm81', content: '{"temp_c":18}' },
      { role: 'user', content: 'Answer briefly.' },
    ]);
  });

  it('streams text then parallel tool calls as blocks in index order, never interleaved, even when OpenAI interleaves their fragments', async () => {
    const call = (index: number, extra: Json) => openAIChunk({ tool_calls: [{ index, ...extra }] });
    behaviours.set('tools-stream', (_req, res) =>
      writeSse(
        res,
        [
          openAIChunk({ role: 'assistant', content: 'Checking both.' }),
          call(0, { id: 'call_A', type: 'function', function: { name: 'get_weather', arguments: '' } }),
          call(0, { function: { arguments: '{"city":' } }),
          call(1, { id: 'call_B', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }),
          call(0, { function: { arguments: '"Lyon"}' } }),
          call(1, { function: { arguments: 'ty":"Nice"}' } }),
          openAIChunk({}, 'tool_calls'),
          openAIUsageChunk(50, 20),
          OPENAI_DONE,
        ],
        3,
      ),
    );
    const res = await fetch(`${suite.zai.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': suite.key },
      body: JSON.stringify({
        model: 'openai/tools-stream',
        max_tokens: 200,
        stream: true,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Lyon and Nice?' }],
      }),
    });
    const events = readEvents(await res.text());
    expect(grammarErrors(events)).toEqual([]);

    const message = await suite.client.messages
      .stream({
        model: 'openai/tools-stream',
        max_tokens: 200,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Lyon and Nice?' }],
      })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_A', name: 'get_weather', input: { city: 'Lyon' } },
      { type: 'tool_use', id: 'call_B', name: 'get_weather', input: { city: 'Nice' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('drops server tools with a warning and, with no client tool left, sends no tool_choice', async () => {
    const { response } = await suite.client.messages
      .create({
        model: MODEL,
        max_tokens: 100,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        tool_choice: { type: 'auto' },
        messages: [{ role: 'user', content: 'News?' }],
      })
      .withResponse();
    expect(response.headers.get('x-zai-warnings')).toBe('tools.web_search_20250305');
    const sent = bodyOf(lastCall('gpt-4o-mini'));
    expect(sent.tools).toBeUndefined();
    expect(sent.tool_choice).toBeUndefined();
  });
});
