/**
 * Property tests for the Responses codecs. Requests: fed any value (random JSON, or a Codex-style
 * request with any one field replaced by a random value), the request codec either returns a chat
 * request that the gateway's own validator accepts, or throws a 400 GatewayError naming a request
 * field — nothing else. Streams: any sequence of chat chunks (text, refusals, reasoning, parallel
 * tool-call fragments, finish reasons, usage, in any order) becomes a well-formed event stream.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { validateChatRequest } from '../../gateway/validate-request.js';
import type { ChatCompletionChunk, FinishReason } from '../../openai/types.js';
import { SseParser } from '../../providers/sse-parser.js';
import { pathsOf, type Path } from '../../../test/helpers/fuzz.js';
import { translateRequest } from './request.js';
import { ResponsesStreamEncoder } from './stream.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x1717);

const FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'max_output_tokens',
  'temperature',
  'top_p',
  'reasoning',
  'stream',
  'previous_response_id',
  'conversation',
  'prompt',
  'background',
  'user',
  'response_id',
]);

const codexLike = {
  model: 'anthropic/claude-sonnet-4-5',
  instructions: 'Be brief.',
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: 'Hi' },
        { type: 'input_image', image_url: 'https://x/y.png' },
      ],
    },
    { type: 'reasoning', id: 'rs_1', summary: [] },
    { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
    { type: 'function_call', call_id: 'c1', name: 'spawn_agent', namespace: 'multi_agent_v1', arguments: '{}' },
    { type: 'function_call_output', call_id: 'c1', output: [{ type: 'input_text', text: 'ok' }] },
  ],
  tools: [
    { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: {} }, strict: false },
    { type: 'namespace', name: 'multi_agent_v1', description: 'd', tools: [{ type: 'function', name: 'spawn_agent' }] },
    { type: 'web_search' },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
  text: { format: { type: 'json_schema', name: 'r', schema: { type: 'object' } } },
  max_output_tokens: 100,
  temperature: 0.5,
  reasoning: { effort: 'low', summary: 'auto' },
  stream: true,
};

function setAt(root: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
  return copy;
}

function check(body: unknown): void {
  let translated: ReturnType<typeof translateRequest>;
  try {
    translated = translateRequest(body);
  } catch (error) {
    expect(error instanceof GatewayError, `threw ${String(error)}`).toBe(true);
    const e = error as GatewayError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_request');
    if (e.param !== null) expect(FIELDS.has(/^[a-z_]+/.exec(e.param)?.[0] ?? ''), `param ${e.param}`).toBe(true);
    return;
  }
  // What the codec builds, the gateway accepts.
  expect(() => validateChatRequest(translated.chat)).not.toThrow();
  expect(translated.chat.messages.length).toBeGreaterThan(0);
}

describe('translateRequest (property)', () => {
  it('answers any JSON value with a chat request or a 400 naming a field', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => check(body)),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('answers a Codex-style request with any one field replaced by any value the same way', () => {
    const paths = pathsOf(codexLike);
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => check(setAt(codexLike, path, value))),
      { seed: SEED, numRuns: 600 },
    );
  });
});

const FINISH: Array<FinishReason | null> = [null, null, null, 'stop', 'length', 'tool_calls', 'content_filter'];

const chunkArb: fc.Arbitrary<ChatCompletionChunk> = fc
  .record({
    content: fc.option(fc.string(), { nil: undefined }),
    refusal: fc.option(fc.string(), { nil: undefined }),
    reasoning: fc.option(fc.string(), { nil: undefined }),
    call: fc.option(
      fc.record({
        index: fc.nat({ max: 2 }),
        id: fc.option(fc.constantFrom('call_a', 'call_b'), { nil: undefined }),
        name: fc.option(fc.constantFrom('get_weather', 'multi_agent_v1__spawn_agent'), { nil: undefined }),
        args: fc.option(fc.string(), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    finish: fc.constantFrom(...FINISH),
    usage: fc.boolean(),
  })
  .map(({ content, refusal, reasoning, call, finish, usage }) => {
    const delta: ChatCompletionChunk['choices'][number]['delta'] = {};
    if (content !== undefined) delta.content = content;
    if (refusal !== undefined) delta.refusal = refusal;
    if (reasoning !== undefined) delta.reasoning_content = reasoning;
    if (call !== undefined) {
      delta.tool_calls = [
        {
          index: call.index,
          ...(call.id ? { id: call.id } : {}),
          function: { ...(call.name ? { name: call.name } : {}), ...(call.args !== undefined ? { arguments: call.args } : {}) },
        },
      ];
    }
    return {
      id: 'c',
      object: 'chat.completion.chunk' as const,
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...(usage ? { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } } : {}),
    };
  });

describe('ResponsesStreamEncoder (property)', () => {
  const request = translateRequest({
    model: 'groq/x',
    input: 'x',
    tools: [
      { type: 'function', name: 'get_weather' },
      { type: 'namespace', name: 'multi_agent_v1', description: 'd', tools: [{ type: 'function', name: 'spawn_agent' }] },
    ],
  });

  it('turns any chunk sequence into well-formed events: numbered, items added before use, each closed once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(chunkArb, { maxLength: 4 }), { maxLength: 12 }), (batches) => {
        const encoder = new ResponsesStreamEncoder(request.echo, request.names);
        let text = '';
        for (const batch of batches) text += encoder.encode(batch);
        text += encoder.done(undefined);
        const events = [...new SseParser().push(new TextEncoder().encode(text))].map((e) => {
          const data = JSON.parse(e.data) as Record<string, unknown>;
          expect(e.event).toBe(data.type);
          return data;
        });
        const open = new Map<number, string>();
        const closed = new Set<number>();
        let count = 0;
        events.forEach((event, i) => {
          expect(event.sequence_number).toBe(i);
          if (event.type === 'response.output_item.added') {
            expect(event.output_index).toBe(count++);
            open.set(event.output_index as number, (event.item as { id: string }).id);
          } else if (typeof event.output_index === 'number') {
            expect(open.has(event.output_index), `${String(event.type)} before its item`).toBe(true);
            expect(closed.has(event.output_index), `${String(event.type)} after its item was done`).toBe(false);
            if ('item_id' in event) expect(event.item_id).toBe(open.get(event.output_index));
            if (event.type === 'response.output_item.done') closed.add(event.output_index);
          }
        });
        expect(closed.size).toBe(count);
        const last = events.at(-1);
        expect(['response.completed', 'response.incomplete']).toContain(last?.type);
        expect((last?.response as { output: unknown[] }).output).toHaveLength(count);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
