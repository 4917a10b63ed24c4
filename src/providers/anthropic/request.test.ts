import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { ChatCallInput } from '../provider.js';
import { loadJson } from '../../../test/helpers/recording.js';
import { DEFAULT_MAX_TOKENS, toAnthropicRequest } from './request.js';

const credentials = { baseUrl: 'https://api.anthropic.com/', apiKey: 'sk-ant-test' };

function callInput(request: Partial<ChatCompletionRequest>, overrides: Partial<ChatCallInput> = {}): ChatCallInput {
  return {
    request: { model: 'anthropic/claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], ...request },
    upstreamModel: 'claude-sonnet-4-5',
    publicModel: 'anthropic/claude-sonnet-4-5',
    stream: false,
    includeUsage: false,
    maxOutputTokens: undefined,
    ...overrides,
  };
}

/** The JSON body actually sent upstream. */
function sentBody(input: ChatCallInput): unknown {
  return JSON.parse(toAnthropicRequest(input, credentials).call.body ?? 'null');
}

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('toAnthropicRequest()', () => {
  it('toAnthropicRequest() posts to {baseUrl}/v1/messages with the Anthropic headers', () => {
    const { call } = toAnthropicRequest(callInput({}), credentials);
    expect(call.method).toBe('POST');
    expect(call.url).toBe('https://api.anthropic.com/v1/messages');
    expect(call.headers).toEqual({
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'content-type': 'application/json',
    });
  });

  it('toAnthropicRequest() sends a minimal body with the default max_tokens and no stream flag', () => {
    expect(sentBody(callInput({}))).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: DEFAULT_MAX_TOKENS,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
    expect(DEFAULT_MAX_TOKENS).toBe(4096);
  });

  it('toAnthropicRequest() translates a full tools conversation (system, images, tool round trip, params)', () => {
    const request = loadJson(new URL('./__fixtures__/request-tools.openai.json', import.meta.url)) as ChatCompletionRequest;
    const result = toAnthropicRequest(callInput(request, { stream: true, includeUsage: true }), credentials);
    expect(JSON.parse(result.call.body ?? 'null')).toEqual(
      loadJson(new URL('./__fixtures__/request-tools.anthropic.json', import.meta.url)),
    );
    expect(result.warnings).toEqual([]);
    expect(result.answerTool).toBeUndefined();
  });

  it('toAnthropicRequest() folds system and developer messages in order and merges consecutive turns', () => {
    const body = sentBody(
      callInput({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'One.' },
          { role: 'developer', content: 'Be kind.' },
          { role: 'user', content: [{ type: 'text', text: 'Two.' }] },
          { role: 'assistant', content: 'A.' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'B.' },
              { type: 'refusal', refusal: 'No.' },
            ],
          },
          { role: 'user', content: 'Three.' },
        ],
      }),
    );
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Be kind.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'One.' },
            { type: 'text', text: 'Two.' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'A.' },
            { type: 'text', text: 'B.' },
            { type: 'text', text: 'No.' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Three.' }] },
      ],
    });
  });

  it('toAnthropicRequest() puts tool results first in their user turn', () => {
    const body = sentBody(
      callInput({
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_time', arguments: '' } }],
          },
          { role: 'user', content: 'Hurry.' },
          { role: 'tool', tool_call_id: 'toolu_1', content: '' },
        ],
      }),
    );
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_time', input: {} }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1' },
            { type: 'text', text: 'Hurry.' },
          ],
        },
      ],
    });
  });

  it('toAnthropicRequest() takes max_completion_tokens, then max_tokens, then the catalog maximum', () => {
    const maxTokens = (request: Partial<ChatCompletionRequest>, maxOutputTokens?: number): unknown =>
      toAnthropicRequest(callInput(request, { maxOutputTokens }), credentials).body.max_tokens;
    expect(maxTokens({ max_completion_tokens: 100, max_tokens: 200 }, 64000)).toBe(100);
    expect(maxTokens({ max_tokens: 200 }, 64000)).toBe(200);
    expect(maxTokens({}, 64000)).toBe(64000);
    expect(maxTokens({ max_completion_tokens: null })).toBe(4096);
  });

  it('toAnthropicRequest() refuses temperature above 1 with a 400 naming the parameter', () => {
    const error = thrown(() => toAnthropicRequest(callInput({ temperature: 1.5 }), credentials));
    expect(error.status).toBe(400);
    expect(error.param).toBe('temperature');
    expect(error.message).toContain('0 to 1');
    expect(toAnthropicRequest(callInput({ temperature: 1 }), credentials).body.temperature).toBe(1);
  });

  it('toAnthropicRequest() refuses n greater than 1 and accepts n = 1', () => {
    const error = thrown(() => toAnthropicRequest(callInput({ n: 2 }), credentials));
    expect(error.status).toBe(400);
    expect(error.param).toBe('n');
    expect(toAnthropicRequest(callInput({ n: 1 }), credentials).warnings).toEqual([]);
  });

  it('toAnthropicRequest() drops parameters Anthropic cannot honour and names them in warnings', () => {
    const input = callInput({
      seed: 7,
      logprobs: true,
      logit_bias: { '50256': -100 },
      presence_penalty: 0.5,
      frequency_penalty: 0.2,
      reasoning_effort: null,
      messages: [{ role: 'user', content: 'Hi', name: 'ann' }],
    });
    const result = toAnthropicRequest(input, credentials);
    expect(result.warnings).toEqual([
      'seed',
      'logprobs',
      'logit_bias',
      'presence_penalty',
      'frequency_penalty',
      'messages[].name',
    ]);
    expect(JSON.parse(result.call.body ?? 'null')).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
  });

  it('toAnthropicRequest() turns a single stop string into stop_sequences', () => {
    expect(toAnthropicRequest(callInput({ stop: 'END' }), credentials).body.stop_sequences).toEqual(['END']);
    expect(toAnthropicRequest(callInput({ stop: [] }), credentials).body.stop_sequences).toBeUndefined();
  });

  it('toAnthropicRequest() maps tool_choice required, none and a named function', () => {
    const tools: ChatCompletionRequest['tools'] = [{ type: 'function', function: { name: 'get_time' } }];
    const choice = (request: Partial<ChatCompletionRequest>): unknown =>
      toAnthropicRequest(callInput({ tools, ...request }), credentials).body.tool_choice;
    expect(choice({ tool_choice: 'required' })).toEqual({ type: 'any' });
    expect(choice({ tool_choice: 'none' })).toEqual({ type: 'none' });
    expect(choice({ tool_choice: { type: 'function', function: { name: 'get_time' } } })).toEqual({
      type: 'tool',
      name: 'get_time',
    });
    expect(choice({ tool_choice: 'required', parallel_tool_calls: false })).toEqual({
      type: 'any',
      disable_parallel_tool_use: true,
    });
    expect(choice({ tool_choice: 'none', parallel_tool_calls: false })).toEqual({ type: 'none' });
  });

  it('toAnthropicRequest() refuses a required tool_choice without tools', () => {
    const error = thrown(() => toAnthropicRequest(callInput({ tool_choice: 'required' }), credentials));
    expect([error.status, error.param]).toEqual([400, 'tool_choice']);
  });

  it('toAnthropicRequest() refuses tool call arguments that are not a JSON object', () => {
    const input = (args: string): ChatCallInput =>
      callInput({
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: args } }] },
        ],
      });
    for (const args of ['{"city":', '[1,2]']) {
      const error = thrown(() => toAnthropicRequest(input(args), credentials));
      expect([error.status, error.param]).toEqual([400, 'messages[1].tool_calls[0].function.arguments']);
    }
  });

  it('toAnthropicRequest() refuses unknown content part types with a clear message', () => {
    const error = thrown(() =>
      toAnthropicRequest(
        callInput({
          messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAA', format: 'wav' } }] }],
        }),
        credentials,
      ),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[0].type');
    expect(error.message).toBe(
      "Content part type 'input_audio' is not supported by Anthropic models (supported: text, image_url, file with PDF data).",
    );
  });

  it('toAnthropicRequest() refuses image types Anthropic does not read', () => {
    const error = thrown(() =>
      toAnthropicRequest(
        callInput({
          messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }],
        }),
        credentials,
      ),
    );
    expect([error.status, error.param]).toEqual([400, 'messages[0].content[0].image_url.url']);
  });

  it('toAnthropicRequest() sends inline PDF file parts as document blocks', () => {
    const body = sentBody(
      callInput({
        messages: [
          {
            role: 'user',
            content: [{ type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } }],
          },
        ],
      }),
    );
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [
        {
          role: 'user',
          content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }],
        },
      ],
    });
  });

  it('toAnthropicRequest() refuses an empty message and the deprecated function role', () => {
    const empty = thrown(() => toAnthropicRequest(callInput({ messages: [{ role: 'user', content: '' }] }), credentials));
    expect([empty.status, empty.param]).toEqual([400, 'messages[0].content']);
    const fn = thrown(() =>
      toAnthropicRequest(callInput({ messages: [{ role: 'function', name: 'f', content: '1' }] }), credentials),
    );
    expect([fn.status, fn.param]).toEqual([400, 'messages[0].role']);
  });
});

describe('toAnthropicRequest() response_format', () => {
  const schema = {
    type: 'object',
    properties: { city: { type: 'string' }, temp_c: { type: 'number' } },
    required: ['city', 'temp_c'],
    additionalProperties: false,
  };

  it('toAnthropicRequest() turns json_schema into one forced tool named after the schema', () => {
    const result = toAnthropicRequest(
      callInput({ response_format: { type: 'json_schema', json_schema: { name: 'city_report', strict: true, schema } } }),
      credentials,
    );
    expect(result.answerTool).toBe('city_report');
    expect(JSON.parse(result.call.body ?? 'null')).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      tools: [
        {
          name: 'city_report',
          description: 'Give your final answer by calling this tool: its input is the answer, as JSON.',
          input_schema: schema,
          strict: true,
        },
      ],
      tool_choice: { type: 'tool', name: 'city_report' },
    });
  });

  it('toAnthropicRequest() lets the model choose between client tools and the answer tool', () => {
    const result = toAnthropicRequest(
      callInput({
        tools: [{ type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } }],
        response_format: { type: 'json_schema', json_schema: { name: 'city_report', description: 'The report.', schema } },
      }),
      credentials,
    );
    expect(result.body.tools).toEqual([
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
      { name: 'city_report', description: 'The report.', input_schema: schema },
    ]);
    expect(result.body.tool_choice).toEqual({ type: 'any' });
  });

  it('toAnthropicRequest() turns json_object into a forced permissive json_response tool', () => {
    const result = toAnthropicRequest(callInput({ response_format: { type: 'json_object' } }), credentials);
    expect(result.answerTool).toBe('json_response');
    expect(result.warnings).toEqual([]);
    expect(result.body.tools).toEqual([
      {
        name: 'json_response',
        description: 'Give your final answer by calling this tool: its input is the answer, as JSON.',
        input_schema: { type: 'object' },
      },
    ]);
    expect(result.body.tool_choice).toEqual({ type: 'tool', name: 'json_response' });
  });

  it('toAnthropicRequest() refuses a response_format name that collides with a client tool', () => {
    const error = thrown(() =>
      toAnthropicRequest(
        callInput({
          tools: [{ type: 'function', function: { name: 'city_report' } }],
          response_format: { type: 'json_schema', json_schema: { name: 'city_report', schema } },
        }),
        credentials,
      ),
    );
    expect([error.status, error.param]).toEqual([400, 'response_format.json_schema.name']);
  });

  it('toAnthropicRequest() ignores response_format text and refuses non-object schemas', () => {
    expect(toAnthropicRequest(callInput({ response_format: { type: 'text' } }), credentials).body.tools).toBeUndefined();
    const error = thrown(() =>
      toAnthropicRequest(
        callInput({
          response_format: { type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array', items: {} } } },
        }),
        credentials,
      ),
    );
    expect([error.status, error.param]).toEqual([400, 'response_format.json_schema.schema']);
  });
});

describe('toAnthropicRequest() thinking', () => {
  const thinkingOf = (request: Partial<ChatCompletionRequest>, overrides: Partial<ChatCallInput> = {}) =>
    (sentBody(callInput(request, overrides)) as { thinking?: unknown }).thinking;

  it('reasoning_effort asks for a thinking budget below max_tokens; none asks for none', () => {
    expect(thinkingOf({ reasoning_effort: 'low' })).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(thinkingOf({ reasoning_effort: 'high', max_tokens: 64_000 })).toEqual({ type: 'enabled', budget_tokens: 24_576 });
    // Without a client limit, half of the default stays for the answer; a client's own limit is theirs.
    expect(thinkingOf({ reasoning_effort: 'high' }, { maxOutputTokens: 8000 })).toEqual({ type: 'enabled', budget_tokens: 4000 });
    expect(thinkingOf({ reasoning_effort: 'high', max_completion_tokens: 8000 })).toEqual({
      type: 'enabled',
      budget_tokens: 7999,
    });
    expect(thinkingOf({ reasoning_effort: 'none' })).toEqual({ type: 'disabled' });
    expect(toAnthropicRequest(callInput({ reasoning_effort: 'medium' }), credentials).warnings).toEqual([]);
  });

  it("Anthropic's own thinking goes through as given and wins over reasoning_effort", () => {
    const own = { type: 'enabled', budget_tokens: 3000 };
    expect(thinkingOf({ thinking: own, reasoning_effort: 'high' })).toEqual(own);
    expect(thinkingOf({ thinking: { type: 'disabled' } })).toEqual({ type: 'disabled' });
  });

  it('refuses what Anthropic would refuse: a budget at or over max_tokens, an unknown effort, max_tokens too small', () => {
    expect(
      thrown(() => sentBody(callInput({ thinking: { type: 'enabled', budget_tokens: 5000 }, max_tokens: 5000 }))),
    ).toMatchObject({
      status: 400,
      param: 'thinking',
    });
    expect(thrown(() => sentBody(callInput({ reasoning_effort: 'extreme' })))).toMatchObject({
      status: 400,
      param: 'reasoning_effort',
    });
    expect(thrown(() => sentBody(callInput({ reasoning_effort: 'low', max_tokens: 1000 })))).toMatchObject({
      status: 400,
      param: 'max_tokens',
    });
  });

  it('leaves thinking off, named in the warnings, when a tool is forced or a tool loop is under way', () => {
    const tool = { type: 'function' as const, function: { name: 'f', parameters: { type: 'object' } } };
    const forced = toAnthropicRequest(
      callInput({ reasoning_effort: 'low', tools: [tool], tool_choice: 'required' }),
      credentials,
    );
    expect(forced.body.thinking).toBeUndefined();
    expect(forced.warnings).toContain('reasoning_effort');
    const json = toAnthropicRequest(
      callInput({ reasoning_effort: 'low', response_format: { type: 'json_object' } }),
      credentials,
    );
    expect(json.body.thinking).toBeUndefined();
    const loop = toAnthropicRequest(
      callInput({
        thinking: { type: 'enabled', budget_tokens: 2000 },
        tools: [tool],
        messages: [
          { role: 'user', content: 'Go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: 'done' },
        ],
      }),
      credentials,
    );
    expect(loop.body.thinking).toBeUndefined();
    expect(loop.warnings).toContain('thinking');
  });
});
