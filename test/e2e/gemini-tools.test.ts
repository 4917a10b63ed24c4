/**
 * Gemini behind the OpenAI API, end to end: tool calls whole and streamed, with the official
 * `openai` SDK against the real Z-AI server in front of a fake Gemini (see
 * test/helpers/gemini-gateway.ts): functionCall parts as tool_calls, results back as
 * functionResponse addressed by name, thought signatures kept.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { bodyOf, json, writeFrames } from '../helpers/fake-upstream.js';
import { useGeminiGateway } from '../helpers/gemini-gateway.js';
import { chunk, dataEvent, geminiResponse, type Json } from '../helpers/gemini-wire.js';

const gemini = useGeminiGateway();

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

type GeminiContentBody = { role: string; parts: Array<Json & { functionResponse?: { name: string; response: Json } }> };

describe('tools', () => {
  it('non-streamed: functionCall parts become tool_calls with minted ids; results go back as functionResponse with the NAME recovered', async () => {
    gemini.behaviours.set('gemini-e2e-tools:generateContent', (req, res) => {
      const contents = bodyOf(req).contents as GeminiContentBody[];
      if (contents.some((c) => c.parts.some((p) => p.functionResponse))) {
        return json(res, 200, geminiResponse({ parts: [{ text: 'Paris: 18°C; it is noon.' }] }));
      }
      return json(
        res,
        200,
        geminiResponse({
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtQBAdHtim9kR2yWq0Zs' },
            { functionCall: { name: 'get_time', args: {} } },
          ],
          usage: { promptTokenCount: 80, candidatesTokenCount: 20, totalTokenCount: 100 },
        }),
      );
    });
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris, and the time?' },
    ];
    const first = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
      tool_choice: 'required',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = choice.message.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[];
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.function)).toEqual([
      { name: 'get_weather', arguments: '{"city":"Paris"}' },
      { name: 'get_time', arguments: '{}' },
    ]);
    expect(calls.every((c) => c.type === 'function' && /^call_[A-Za-z0-9_-]+$/.test(c.id) && c.id.length <= 40)).toBe(true);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
    expect(bodyOf(gemini.lastCall('gemini-e2e-tools', 'generateContent'))).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Weather in Paris, and the time?' }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather for a city',
              parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
            { name: 'get_time', description: 'Current time' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
    });

    // The client appends the assistant message as received (with Gemini's thought signature in
    // extra_content) and answers each call by id only.
    messages.push(choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam);
    messages.push({ role: 'tool', tool_call_id: calls[1]!.id, content: '12:00' });
    messages.push({ role: 'tool', tool_call_id: calls[0]!.id, content: '{"temp_c":18,"sky":"cloudy"}' });
    const second = await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-tools',
      messages,
      tools: [weatherTool, timeTool],
    });
    expect(second.choices[0]?.message.content).toBe('Paris: 18°C; it is noon.');
    expect(second.choices[0]?.finish_reason).toBe('stop');

    const contents = bodyOf(gemini.lastCall('gemini-e2e-tools', 'generateContent')).contents as GeminiContentBody[];
    expect(contents).toHaveLength(3);
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CtQBAdHtim9kR2yWq0Zs' },
        { functionCall: { name: 'get_time', args: {} } },
      ],
    });
    // Both results in one user turn, each addressed by the function name the call id pointed to.
    expect(contents[2]?.role).toBe('user');
    const responses = contents[2]!.parts.map((p) => p.functionResponse!);
    expect(responses.map((r) => r.name)).toEqual(['get_time', 'get_weather']);
    expect(Object.values(responses[0]!.response)).toContain('12:00');
    expect(responses[1]!.response).toEqual({ temp_c: 18, sky: 'cloudy' });
  });

  it("history from a client that dropped the thought signature gets Google's documented placeholder on the first call", async () => {
    await gemini.client.chat.completions.create({
      model: 'gemini/gemini-e2e-tools',
      messages: [
        { role: 'user', content: 'Weather in Rome?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_fromElsewhere', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_fromElsewhere', content: 'sunny' },
      ],
      tools: [weatherTool],
    });
    const contents = bodyOf(gemini.lastCall('gemini-e2e-tools', 'generateContent')).contents as GeminiContentBody[];
    expect(contents[1]).toEqual({
      role: 'model',
      parts: [
        // An id Z-AI did not mint is echoed, with the result's, as Gemini matches them.
        {
          functionCall: { name: 'get_weather', args: { city: 'Rome' }, id: 'call_fromElsewhere' },
          thoughtSignature: 'skip_thought_signature_validator',
        },
      ],
    });
    expect(contents[2]?.parts[0]?.functionResponse).toMatchObject({ name: 'get_weather', id: 'call_fromElsewhere' });
  });

  it('a tool message whose id matches no earlier call is a 400, not a guess', async () => {
    const before = gemini.fake.requests.length;
    const err = await gemini.client.chat.completions
      .create({
        model: 'gemini/gemini-e2e-tools',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'tool', tool_call_id: 'call_unknown', content: 'y' },
        ],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(gemini.fake.requests.length).toBe(before);
  });

  it('streamed: the SDK assembles whole function calls (split events), then the results go back by name', async () => {
    gemini.behaviours.set('gemini-e2e-stream-tools:streamGenerateContent', (req, res) => {
      const contents = bodyOf(req).contents as GeminiContentBody[];
      if (contents.some((c) => c.parts.some((p) => p.functionResponse))) {
        return writeFrames(res, [
          dataEvent(
            chunk(
              [{ text: 'Lyon: 18°C at noon.' }],
              { promptTokenCount: 120, candidatesTokenCount: 8, totalTokenCount: 128 },
              'STOP',
            ),
          ),
        ]);
      }
      return writeFrames(res, [
        dataEvent(chunk([{ text: 'Checking both.' }], { promptTokenCount: 80, candidatesTokenCount: 3, totalTokenCount: 83 })),
        dataEvent(
          chunk([{ functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: 'c2lnLWx5b24=' }], {
            promptTokenCount: 80,
            candidatesTokenCount: 12,
            totalTokenCount: 92,
          }),
        ),
        dataEvent(
          chunk(
            [{ functionCall: { name: 'get_time', args: { tz: 'Europe/Paris' } } }],
            { promptTokenCount: 80, candidatesTokenCount: 20, totalTokenCount: 100 },
            'STOP',
          ),
        ),
      ]);
    });
    const final = await gemini.client.chat.completions
      .stream({
        model: 'gemini/gemini-e2e-stream-tools',
        messages: [{ role: 'user', content: 'Weather in Lyon and the time?' }],
        tools: [weatherTool, timeTool],
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();
    const choice = final.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Checking both.');
    const calls = choice.message.tool_calls as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((c) => ({ type: c.type, function: c.function }))).toEqual([
      { type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
      { type: 'function', function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } },
    ]);
    expect(calls.every((c) => c.id.startsWith('call_'))).toBe(true);
    expect(calls[0]!.id).not.toBe(calls[1]!.id);
    expect(final.usage).toMatchObject({ prompt_tokens: 80, completion_tokens: 20, total_tokens: 100 });

    const second = await gemini.client.chat.completions
      .stream({
        model: 'gemini/gemini-e2e-stream-tools',
        messages: [
          { role: 'user', content: 'Weather in Lyon and the time?' },
          choice.message as OpenAI.Chat.Completions.ChatCompletionAssistantMessageParam,
          { role: 'tool', tool_call_id: calls[0]!.id, content: '{"temp_c":18}' },
          { role: 'tool', tool_call_id: calls[1]!.id, content: '{"time":"12:00"}' },
        ],
        tools: [weatherTool, timeTool],
      })
      .finalChatCompletion();
    expect(second.choices[0]?.message.content).toBe('Lyon: 18°C at noon.');
    const contents = bodyOf(gemini.lastCall('gemini-e2e-stream-tools', 'streamGenerateContent')).contents as GeminiContentBody[];
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Lyon and the time?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking both.' },
          { functionCall: { name: 'get_weather', args: { city: 'Lyon' } }, thoughtSignature: 'c2lnLWx5b24=' },
          { functionCall: { name: 'get_time', args: { tz: 'Europe/Paris' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp_c: 18 } } },
          { functionResponse: { name: 'get_time', response: { time: '12:00' } } },
        ],
      },
    ]);
  });
});
