/**
 * Anthropic behind the OpenAI API, end to end: tool calls and JSON output, whole and streamed. The
 * official `openai` SDK talks to the real Z-AI server, which talks to a fake Anthropic speaking the
 * real Messages protocol over HTTP (tool_use blocks, input_json_delta fragments split across writes,
 * thinking blocks, pings).
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import {
  anthropicFrames,
  anthropicMessage,
  anthropicSse,
  blockStop,
  jsonDelta,
  MESSAGE_STOP,
  messageDelta,
  messageStart,
  PING,
  textDelta,
  textStart,
  toolStart,
} from '../helpers/anthropic-wire.js';
import { useFakeAnthropic } from '../helpers/fake-anthropic.js';
import { bodyOf, json } from '../helpers/fake-upstream.js';

const suite = useFakeAnthropic();
const { behaviours, lastMessagesCall } = suite;

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const timeTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_time', description: 'Current time' },
};

describe('tools', () => {
  it('non-streamed: tool_use becomes tool_calls, and the tool result goes back as a tool_result block', async () => {
    behaviours.set('claude-e2e-tools', (req, res) => {
      const messages = bodyOf(req).messages as Array<{ role: string; content: Array<{ type: string }> }>;
      const answered = messages.some((m) => m.content.some((b) => b.type === 'tool_result'));
      if (answered)
        return json(
          res,
          200,
          anthropicMessage({ id: 'msg_01Final', content: [{ type: 'text', text: 'It is 18°C and cloudy in Paris.' }] }),
        );
      return json(
        res,
        200,
        anthropicMessage({
          id: 'msg_01Tools',
          content: [
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
          ],
          stop_reason: 'tool_use',
          usage: { input_tokens: 40, output_tokens: 61 },
        }),
      );
    });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
      tool_choice: 'auto',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Let me check.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_01Paris', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(bodyOf(lastMessagesCall('claude-e2e-tools'))).toEqual({
      model: 'claude-e2e-tools',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
        { name: 'get_time', description: 'Current time', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'auto' },
    });

    messages.push(choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam);
    messages.push({ role: 'tool', tool_call_id: 'toolu_01Paris', content: '{"temp_c":18,"sky":"cloudy"}' });
    const second = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
    });
    expect(second.choices[0]?.message.content).toBe('It is 18°C and cloudy in Paris.');
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(bodyOf(lastMessagesCall('claude-e2e-tools')).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool_use', id: 'toolu_01Paris', name: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Paris', content: '{"temp_c":18,"sky":"cloudy"}' }] },
    ]);
  });

  it('maps tool_choice required / named and parallel_tool_calls', async () => {
    await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-choice',
      messages: [{ role: 'user', content: 'x' }],
      tools: [weatherTool],
      tool_choice: 'required',
    });
    expect(bodyOf(lastMessagesCall('claude-e2e-choice')).tool_choice).toEqual({ type: 'any' });
    await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-choice',
      messages: [{ role: 'user', content: 'x' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    expect(bodyOf(lastMessagesCall('claude-e2e-choice')).tool_choice).toEqual({
      type: 'tool',
      name: 'get_weather',
      disable_parallel_tool_use: true,
    });
  });

  it('streamed: the SDK assembles text and two tool calls from split input_json_delta fragments; both results go back in one user turn', async () => {
    behaviours.set('claude-e2e-stream-tools', (req, res) => {
      const messages = bodyOf(req).messages as Array<{ role: string; content: Array<{ type: string }> }>;
      if (messages.some((m) => m.content.some((b) => b.type === 'tool_result'))) {
        return anthropicFrames(res, [
          anthropicSse(messageStart('msg_01After', { input_tokens: 120, output_tokens: 1 })),
          anthropicSse(textStart(0)),
          anthropicSse(textDelta(0, 'Lyon: 18°C at noon.')),
          anthropicSse(blockStop(0)),
          anthropicSse(messageDelta('end_turn', { output_tokens: 8 })),
          anthropicSse(MESSAGE_STOP),
        ]);
      }
      return anthropicFrames(res, [
        anthropicSse(
          messageStart('msg_01StreamTools', {
            input_tokens: 380,
            output_tokens: 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          }),
        ),
        anthropicSse({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }),
        anthropicSse({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Two calls.' } }),
        anthropicSse({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } }),
        anthropicSse(blockStop(0)),
        anthropicSse(textStart(1)),
        anthropicSse(textDelta(1, 'Checking both.')),
        anthropicSse(blockStop(1)),
        anthropicSse(PING),
        anthropicSse(toolStart(2, 'toolu_01Lyon', 'get_weather')),
        anthropicSse(jsonDelta(2, '')),
        anthropicSse(jsonDelta(2, '{"city": "Ly')),
        anthropicSse(PING),
        anthropicSse(jsonDelta(2, 'on"}')),
        anthropicSse(blockStop(2)),
        anthropicSse(toolStart(3, 'toolu_01Time', 'get_time')),
        anthropicSse(jsonDelta(3, '')),
        anthropicSse(blockStop(3)),
        anthropicSse(messageDelta('tool_use', { output_tokens: 87 })),
        anthropicSse(MESSAGE_STOP),
      ]);
    });

    const runner = suite.client.chat.completions.stream({
      model: 'anthropic/claude-e2e-stream-tools',
      messages: [{ role: 'user', content: 'Weather in Lyon and the time?' }],
      tools: [weatherTool, timeTool],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking both.');
    expect(choice.message.tool_calls).toEqual([
      { id: 'toolu_01Lyon', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Lyon"}' } },
      // A tool without input streamed no fragment: the gateway completes it as "{}".
      { id: 'toolu_01Time', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);
    expect(final.usage).toMatchObject({ prompt_tokens: 380, completion_tokens: 87, total_tokens: 467 });
    expect(bodyOf(lastMessagesCall('claude-e2e-stream-tools')).stream).toBe(true);

    const second = await suite.client.chat.completions
      .stream({
        model: 'anthropic/claude-e2e-stream-tools',
        messages: [
          { role: 'user', content: 'Weather in Lyon and the time?' },
          choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: 'toolu_01Lyon', content: '18°C' },
          { role: 'tool', tool_call_id: 'toolu_01Time', content: [{ type: 'text', text: '12:00' }] },
          { role: 'user', content: 'Be brief.' },
        ],
        tools: [weatherTool, timeTool],
      })
      .finalChatCompletion();
    expect(second.choices[0]?.message.content).toBe('Lyon: 18°C at noon.');
    expect(bodyOf(lastMessagesCall('claude-e2e-stream-tools')).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Lyon and the time?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_01Lyon', name: 'get_weather', input: { city: 'Lyon' } },
          { type: 'tool_use', id: 'toolu_01Time', name: 'get_time', input: {} },
        ],
      },
      // Both results in ONE user turn, first, then the user's text.
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01Lyon', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'toolu_01Time', content: [{ type: 'text', text: '12:00' }] },
          { type: 'text', text: 'Be brief.' },
        ],
      },
    ]);
  });
});

describe('JSON output', () => {
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
    required: ['city', 'temp_c'],
    additionalProperties: false,
  };

  it('json_schema is emulated with one forced tool whose input becomes the message content (non-streamed)', async () => {
    behaviours.set('claude-e2e-json', (_req, res) =>
      json(
        res,
        200,
        anthropicMessage({
          id: 'msg_01Json',
          content: [{ type: 'tool_use', id: 'toolu_01Answer', name: 'weather_report', input: { city: 'Paris', temp_c: 18 } }],
          stop_reason: 'tool_use',
        }),
      ),
    );
    const res = await suite.client.chat.completions.create({
      model: 'anthropic/claude-e2e-json',
      messages: [{ role: 'user', content: 'Weather in Paris as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather_report', schema, strict: true } },
    });
    const choice = res.choices[0]!;
    expect(JSON.parse(choice.message.content ?? '')).toEqual({ city: 'Paris', temp_c: 18 });
    expect(choice.message.tool_calls ?? []).toEqual([]);
    expect(choice.finish_reason).toBe('stop');
    const sent = bodyOf(lastMessagesCall('claude-e2e-json'));
    expect(sent.tools).toEqual([{ name: 'weather_report', description: expect.any(String), input_schema: schema, strict: true }]);
    expect(sent.tool_choice).toEqual({ type: 'tool', name: 'weather_report' });
  });

  it('json_object streamed: the answer tool input arrives as content fragments', async () => {
    behaviours.set('claude-e2e-json-stream', (_req, res) =>
      anthropicFrames(res, [
        anthropicSse(messageStart('msg_01JsonStream', { input_tokens: 30, output_tokens: 1 })),
        anthropicSse(toolStart(0, 'toolu_01Ans', 'json_response')),
        anthropicSse(jsonDelta(0, '')),
        anthropicSse(jsonDelta(0, '{"ok": tr')),
        anthropicSse(jsonDelta(0, 'ue}')),
        anthropicSse(blockStop(0)),
        anthropicSse(messageDelta('tool_use', { output_tokens: 9 })),
        anthropicSse(MESSAGE_STOP),
      ]),
    );
    const final = await suite.client.chat.completions
      .stream({
        model: 'anthropic/claude-e2e-json-stream',
        messages: [{ role: 'user', content: 'JSON please' }],
        response_format: { type: 'json_object' },
      })
      .finalChatCompletion();
    expect(JSON.parse(final.choices[0]?.message.content ?? '')).toEqual({ ok: true });
    expect(final.choices[0]?.message.tool_calls ?? []).toEqual([]);
    expect(final.choices[0]?.finish_reason).toBe('stop');
    expect(bodyOf(lastMessagesCall('claude-e2e-json-stream')).tool_choice).toEqual({ type: 'tool', name: 'json_response' });
  });
});
