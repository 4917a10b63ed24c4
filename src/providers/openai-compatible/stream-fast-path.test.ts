/** The fast path of the OpenAI-compatible stream transform: raw JSON text with the model rewritten. */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk } from '../../openai/types.js';
import { EncodedChunk, type SseEvent, type StreamOutput, type StreamTransform } from '../provider.js';
import { ToolIdMap } from './mistral-tool-ids.js';
import { createChatStream } from './stream.js';

/** A transform past its first chunk (which must name the role; see the role tests below). */
function stream(includeUsage = false, toolIds?: ToolIdMap, reasoning = true): StreamTransform {
  const transform = createChatStream({ publicModel: 'openai/gpt-4o', includeUsage, toolIds, reasoning, encoded: true });
  encoded(transform.push(ev(`${HEAD}${choice('{"role":"assistant","content":""}')}}`)));
  return transform;
}

const ev = (data: string): SseEvent => ({ event: undefined, data, id: undefined });
const HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-2024-08-06",';
const NEW_HEAD = '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"openai/gpt-4o",';
const choice = (delta: string, finish = 'null'): string =>
  `"choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]`;

function only(out: StreamOutput[]): StreamOutput {
  expect(out).toHaveLength(1);
  return out[0] as StreamOutput;
}

function encoded(out: StreamOutput[]): EncodedChunk {
  const item = only(out);
  expect(item).toBeInstanceOf(EncodedChunk);
  return item as EncodedChunk;
}

function object(out: StreamOutput[]): ChatCompletionChunk {
  const item = only(out);
  expect(item).not.toBeInstanceOf(EncodedChunk);
  return item as ChatCompletionChunk;
}

describe('OpenAI-compatible stream fast path', () => {
  it('rewrites the model in the text and passes the rest through byte for byte', () => {
    const rest = `"system_fingerprint":"fp_1",${choice('{"content":"Hello"}')}}`;
    const item = encoded(stream().push(ev(HEAD + rest)));
    expect(item.json).toBe(NEW_HEAD + rest);
    expect(item.textBytes).toBe(5);
  });

  it('drops a top-level "usage":null like the full path does', () => {
    const item = encoded(stream().push(ev(`${HEAD}${choice('{"content":"a"}')},"usage":null}`)));
    expect(item.json).toBe(`${NEW_HEAD}${choice('{"content":"a"}')}}`);
    expect(JSON.parse(item.json)).not.toHaveProperty('usage');
  });

  it('never rewrites "model" inside a string value', () => {
    const evil = JSON.stringify('x","model":"evil","y":"');
    const text = `${HEAD}${choice(`{"content":${evil}}`)},"note":"\\"model\\":\\"evil\\""}`;
    const item = encoded(stream().push(ev(text)));
    const parsed = JSON.parse(item.json) as ChatCompletionChunk & { note: string };
    expect(parsed.model).toBe('openai/gpt-4o');
    expect(parsed.choices[0]?.delta.content).toBe('x","model":"evil","y":"');
    expect(parsed.note).toBe('"model":"evil"');
    expect(item.json.match(/openai\/gpt-4o/g)).toHaveLength(1);
  });

  it('falls back to the full path for keys in another order', () => {
    const text = `{"object":"chat.completion.chunk","id":"c","created":1,"model":"up",${choice('{"content":"x"}')}}`;
    const chunk = object(stream().push(ev(text)));
    expect(chunk.model).toBe('openai/gpt-4o');
    expect(chunk.choices[0]?.delta.content).toBe('x');
    const modelFirst = `{"id":"c","object":"chat.completion.chunk","model":"up","created":1,${choice('{}')}}`;
    expect(object(stream().push(ev(modelFirst))).model).toBe('openai/gpt-4o');
  });

  it('falls back when a second top-level model (or id, object, created) follows', () => {
    for (const key of ['model', 'id', 'object', 'created']) {
      const chunk = object(stream().push(ev(`${HEAD}${choice('{}')},"${key}":"later"}`)));
      expect(chunk.model).toBe('openai/gpt-4o');
    }
    // A key spelled with escapes could be any of them.
    expect(object(stream().push(ev(`${HEAD}${choice('{}')},"mod\\u0065l":"later"}`))).model).toBe('openai/gpt-4o');
  });

  it('falls back for a model or id with escapes, whitespace in the head, or no choices', () => {
    const escaped = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"a\\"b",' + choice('{}') + '}';
    expect(object(stream().push(ev(escaped))).model).toBe('openai/gpt-4o');
    const spaced = '{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", ' + choice('{}') + '}';
    expect(object(stream().push(ev(spaced))).model).toBe('openai/gpt-4o');
    expect(object(stream().push(ev(`${HEAD}"system_fingerprint":"x"}`))).choices).toEqual([]);
  });

  const USAGE = '{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}';

  it("takes usage off a usage-only chunk and sends the upstream's own usage text in the final chunk", () => {
    const transform = stream(true);
    encoded(transform.push(ev(`${HEAD}${choice('{"content":"Hi"}')}}`)));
    encoded(transform.push(ev(`${HEAD}${choice('{}', '"stop"')}}`)));
    expect(transform.push(ev(`${HEAD}"choices":[],"usage":${USAGE}}`))).toEqual([]);
    const final = encoded(transform.push(ev('[DONE]')));
    expect(final.json).toBe(`${NEW_HEAD}"choices":[],"usage":${USAGE}}`);
    expect(JSON.parse(final.json)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'openai/gpt-4o',
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(transform.usage()).toEqual({ promptTokens: 3, completionTokens: 2, cachedTokens: 0 });
  });

  it('cuts usage out of a chunk that also carries a choice', () => {
    const transform = stream(true);
    const item = encoded(transform.push(ev(`${HEAD}${choice('{"content":"Hi"}', '"stop"')},"usage":${USAGE}}`)));
    expect(item.json).toBe(`${NEW_HEAD}${choice('{"content":"Hi"}', '"stop"')}}`);
    expect(item.textBytes).toBe(2);
    expect(transform.usage()).toEqual({ promptTokens: 3, completionTokens: 2, cachedTokens: 0 });
    expect(JSON.parse(encoded(transform.push(ev('[DONE]'))).json)).toHaveProperty('usage', JSON.parse(USAGE));
  });

  it('completes usage without total_tokens, then sends the corrected object', () => {
    const transform = stream(true);
    expect(transform.push(ev(`${HEAD}"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"cached":{}}}`))).toEqual([]);
    expect(object(transform.push(ev('[DONE]'))).usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: 2,
      total_tokens: 5,
      cached: {},
    });
  });

  it('leaves a repeated usage key, or usage that is neither null nor an object, to the full path', () => {
    const twice = stream(true);
    expect(object(twice.push(ev(`${HEAD}"choices":[],"usage":${USAGE},"usage":null}`))).choices).toEqual([]);
    expect(twice.usage()).toBeUndefined();
    const number = stream(true);
    expect(object(number.push(ev(`${HEAD}"choices":[],"usage":5}`))).usage).toBeUndefined();
    expect(() => stream().push(ev(`${HEAD}"choices":[],"usage":{"prompt_tokens":3,}}`))).toThrow(GatewayError);
  });

  it('sends no usage chunk when not asked', () => {
    const transform = stream(false);
    transform.push(ev(`${HEAD}${choice('{}', '"stop"')},"usage":null}`));
    expect(transform.push(ev(`${HEAD}"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}`))).toEqual([]);
    expect(transform.push(ev('[DONE]'))).toEqual([]);
    expect(transform.usage()).toEqual({ promptTokens: 3, completionTokens: 2, cachedTokens: 0 });
  });

  it('takes the full path for x_groq, errors and finish reasons that need normalising', () => {
    const groq = object(stream().push(ev(`${HEAD}${choice('{}')},"x_groq":{"id":"req_1"}}`)));
    expect(groq.model).toBe('openai/gpt-4o');
    expect(() => stream().push(ev(`${HEAD}${choice('{}')},"error":{"message":"boom"}}`))).toThrow(GatewayError);
    expect(object(stream().push(ev(`${HEAD}${choice('{}', '"eos"')}}`))).choices[0]?.finish_reason).toBe('stop');
    expect(object(stream().push(ev(`${HEAD}${choice('{}', '""')}}`))).choices[0]?.finish_reason).toBeNull();
    for (const reason of ['stop', 'length', 'tool_calls', 'content_filter', 'function_call']) {
      encoded(stream().push(ev(`${HEAD}${choice('{}', `"${reason}"`)}}`)));
    }
  });

  it('a fast-path finish reason lets a stream without [DONE] end cleanly', () => {
    const transform = stream();
    encoded(transform.push(ev(`${HEAD}${choice('{}', '"stop"')}}`)));
    expect(transform.end()).toEqual([]);
    const cut = stream();
    encoded(cut.push(ev(`${HEAD}${choice('{"content":"a"}')}}`)));
    expect(() => cut.end()).toThrow(GatewayError);
  });

  it('restores Mistral tool-call ids on the full path, passes tool calls through when none are mapped', () => {
    const ids = new ToolIdMap();
    const upstreamId = ids.toUpstream('call_client_1');
    const delta = `{"tool_calls":[{"index":0,"id":"${upstreamId}","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]}`;
    const mapped = object(stream(false, ids).push(ev(`${HEAD}${choice(delta)}}`)));
    expect(mapped.choices[0]?.delta.tool_calls?.[0]?.id).toBe('call_client_1');
    const plain = encoded(stream().push(ev(`${HEAD}${choice(delta)}}`)));
    expect(plain.textBytes).toBeGreaterThanOrEqual(Buffer.byteLength('{"a":1}'));
  });

  it('counts text bytes conservatively: exact for UTF-8 text, never fewer with escapes', () => {
    const text = 'Paris: 18°C 🌥 東京 €';
    expect(encoded(stream().push(ev(`${HEAD}${choice(`{"content":"${text}"}`)}}`))).textBytes).toBeGreaterThanOrEqual(
      Buffer.byteLength(text),
    );
    const ascii = encoded(stream().push(ev(`${HEAD}${choice('{"content":"é"}')}}`)));
    expect(ascii.textBytes).toBe(2);
    const escaped = encoded(stream().push(ev(`${HEAD}${choice('{"content":"a\\nb\\u00e9"}')}}`)));
    expect(escaped.textBytes).toBeGreaterThanOrEqual(Buffer.byteLength('a\nbé'));
  });

  it('never passes malformed JSON through: the full path reports it', () => {
    const bad = [
      `${HEAD}${choice('{"content":"a"}')}`,
      `${HEAD}${choice('{"content":"a"}')}}}`,
      `${HEAD}${choice('{"content":"a"}')}} x`,
      `${HEAD}${choice('{"content":"a\u0001"}')}}`,
      `${HEAD}${choice('{"content":"a\\q"}')}}`,
      `${HEAD}${choice('{"content":"a\\u00zz"}')}}`,
      `${HEAD}${choice('{"content":"a\\u00"}')}}`,
      `${HEAD}"choices":[{"index":01,"delta":{}}]}`,
      `${HEAD}"choices":[{"index":0,"delta":{},}]}`,
      `${HEAD}"choices":[{"index":0 "delta":{}}]}`,
      `${HEAD}"choices":[{"index":nul}]}`,
      `${HEAD}"choices":[{"index":0,"delta":{}]}`,
    ];
    for (const text of bad) expect(() => stream().push(ev(text)), text).toThrow(GatewayError);
    // A choice that is not an object is the full path's protocol error too.
    expect(() => stream().push(ev(`${HEAD}"choices":[1]}`))).toThrow(GatewayError);
  });

  it('handles nesting: other arrays after choices, and very deep values through the full path', () => {
    const after = encoded(stream().push(ev(`${HEAD}${choice('{"content":"a"}')},"extra":[1,"x",[true]]}`)));
    expect(JSON.parse(after.json)).toHaveProperty('extra', [1, 'x', [true]]);
    const deep = `${'['.repeat(40)}${']'.repeat(40)}`;
    const chunk = object(stream().push(ev(`${HEAD}${choice(`{"content":"a","deep":${deep}}`)}}`)));
    expect(chunk.model).toBe('openai/gpt-4o');
  });

  it('its text parses to the same object as the full path would give', () => {
    const text = `${HEAD}"system_fingerprint":null,${choice('{"role":"assistant","content":"","refusal":null}')},"usage":null}`;
    const chunk = JSON.parse(encoded(stream().push(ev(text))).json) as unknown;
    expect(chunk).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'openai/gpt-4o',
      system_fingerprint: null,
      choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
    });
  });
  it('with encoded: false (another API reads the chunks) every chunk is an object, the same as the text would give', () => {
    const first = `${HEAD}${choice('{"role":"assistant","content":""}')}}`;
    const text = `${HEAD}${choice('{"content":"Hi"}')},"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}`;
    const objects = createChatStream({
      publicModel: 'openai/gpt-4o',
      includeUsage: true,
      toolIds: undefined,
      reasoning: true,
      encoded: false,
    });
    const out = [...objects.push(ev(first)), ...objects.push(ev(text)), ...objects.push(ev('[DONE]'))];
    expect(out.some((item) => item instanceof EncodedChunk)).toBe(false);
    const viaText = stream(true);
    const expected = [...viaText.push(ev(text)), ...viaText.push(ev('[DONE]'))].map((item) =>
      item instanceof EncodedChunk ? (JSON.parse(item.json) as unknown) : item,
    );
    expect(out.slice(1)).toEqual(expected);
  });

  it('the first chunk of a choice takes the full path unless it names the role, which the full path adds', () => {
    const fresh = createChatStream({
      publicModel: 'openai/gpt-4o',
      includeUsage: false,
      toolIds: undefined,
      reasoning: true,
      encoded: true,
    });
    const opening = object(fresh.push(ev(`${HEAD}${choice('{"content":"Hi"}')}}`)));
    expect(opening.choices[0]?.delta).toEqual({ role: 'assistant', content: 'Hi' });
    encoded(fresh.push(ev(`${HEAD}${choice('{"content":" there"}')}}`)));
    const named = createChatStream({
      publicModel: 'openai/gpt-4o',
      includeUsage: false,
      toolIds: undefined,
      reasoning: true,
      encoded: true,
    });
    encoded(named.push(ev(`${HEAD}${choice('{"role":"assistant","content":"Hi"}')}}`)));
  });

  it('leaves to the full path what it must fix: content parts, reasoning, tool calls without index or type', () => {
    const parts = object(
      stream().push(
        ev(
          `${HEAD}${choice('{"content":[{"type":"thinking","thinking":[{"type":"text","text":"Hmm"}]},{"type":"text","text":"Hi"}]}')}}`,
        ),
      ),
    );
    expect(parts.choices[0]?.delta).toEqual({ content: 'Hi', reasoning_content: 'Hmm' });
    const renamed = object(stream().push(ev(`${HEAD}${choice('{"reasoning":"Hmm"}')}}`)));
    expect(renamed.choices[0]?.delta).toEqual({ reasoning_content: 'Hmm' });
    encoded(stream().push(ev(`${HEAD}${choice('{"reasoning_content":"Hmm"}')}}`)));
    const off = object(
      stream(false, undefined, false).push(ev(`${HEAD}${choice('{"reasoning_content":"Hmm","content":"a"}')}}`)),
    );
    expect(JSON.parse(JSON.stringify(off.choices[0]?.delta))).toEqual({ content: 'a' });
    const call = '{"id":"c1","type":"function","function":{"name":"f","arguments":""}}';
    const numbered = object(stream().push(ev(`${HEAD}${choice(`{"tool_calls":[${call}]}`)}}`)));
    expect(numbered.choices[0]?.delta.tool_calls?.[0]?.index).toBe(0);
    const untyped = object(
      stream().push(ev(`${HEAD}${choice('{"tool_calls":[{"index":0,"id":"c1","function":{"name":"f"}}]}')}}`)),
    );
    expect(untyped.choices[0]?.delta.tool_calls?.[0]?.type).toBe('function');
    encoded(stream().push(ev(`${HEAD}${choice(`{"tool_calls":[{"index":0,${call.slice(1)}]}`)}}`)));
    encoded(stream().push(ev(`${HEAD}${choice('{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]}')}}`)));
  });

  it('takes the full path for a second choice, or a choice other than 0', () => {
    const two = `${HEAD}"choices":[{"index":0,"delta":{},"finish_reason":null},{"index":1,"delta":{},"finish_reason":null}]}`;
    const chunk = object(stream().push(ev(two)));
    expect(chunk.choices[1]?.delta).toEqual({ role: 'assistant' });
    object(stream().push(ev(`${HEAD}"choices":[{"index":1,"delta":{"role":"assistant"},"finish_reason":null}]}`)));
  });
});
