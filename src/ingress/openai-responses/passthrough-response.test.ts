import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { SseParser } from '../../providers/sse-parser.js';
import { NativeResponsesEvents, nativeOutputBytes, nativeUsage, withPublicModel } from './passthrough-response.js';

const response = {
  id: 'resp_1',
  object: 'response',
  model: 'gpt-5-2025-08-07',
  status: 'completed',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAAAB' },
    { type: 'message', id: 'msg_1', content: [{ type: 'output_text', text: 'Hi é', annotations: [] }] },
    { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
  ],
  usage: {
    input_tokens: 30,
    input_tokens_details: { cached_tokens: 8 },
    output_tokens: 12,
    output_tokens_details: { reasoning_tokens: 6 },
    total_tokens: 42,
  },
  store: true,
};

function frame(type: string, data: Record<string, unknown>): { event: string; data: string; id: undefined } {
  return { event: type, data: JSON.stringify({ type, ...data }), id: undefined };
}

function parse(text: string): Array<{ event: string | undefined; data: Record<string, unknown> }> {
  return [...new SseParser().push(new TextEncoder().encode(text))].map((e) => ({
    event: e.event,
    data: JSON.parse(e.data) as Record<string, unknown>,
  }));
}

describe('passthrough answers', () => {
  it('reads the usage, the generated text size, and swaps in the public model', () => {
    expect(nativeUsage(response)).toEqual({ promptTokens: 30, completionTokens: 12, cachedTokens: 8, reasoningTokens: 6 });
    expect(nativeUsage({ output: [] })).toBeUndefined();
    expect(nativeOutputBytes(response)).toBe(Buffer.byteLength('Hi é') + 7);
    const copy = structuredClone(response);
    expect(withPublicModel(copy, () => 'openai/gpt-5')).toEqual({ ...response, model: 'openai/gpt-5' });
  });

  it('relays events unchanged except the model in response objects, reading usage from the terminal event', () => {
    const relay = new NativeResponsesEvents(() => 'openai/gpt-5');
    const delta = frame('response.output_text.delta', {
      sequence_number: 3,
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: 'Hi é',
      obfuscation: 'xy',
    });
    let text = relay.push(
      frame('response.created', { sequence_number: 0, response: { ...response, status: 'in_progress', usage: null } }),
    );
    text += relay.push(delta);
    expect(relay.complete).toBe(false);
    text += relay.push(frame('response.completed', { sequence_number: 9, response }));
    expect(relay.complete).toBe(true);
    expect(relay.push(frame('response.output_text.delta', { delta: 'late' }))).toBe('');
    expect(relay.end() + relay.close()).toBe('');
    const events = parse(text);
    expect(events.map((e) => e.event)).toEqual(['response.created', 'response.output_text.delta', 'response.completed']);
    expect((events[0]?.data.response as { model: string }).model).toBe('openai/gpt-5');
    expect(events[1]?.data).toEqual(JSON.parse(delta.data));
    expect(events[2]?.data.response).toEqual({ ...response, model: 'openai/gpt-5' });
    expect(relay.usage()).toEqual({ promptTokens: 30, completionTokens: 12, cachedTokens: 8, reasoningTokens: 6 });
    expect(relay.completionBytes).toBe(Buffer.byteLength('Hi é'));
  });

  it('treats a stream that ends before its terminal event as cut, and writes a failure as an error event', () => {
    const relay = new NativeResponsesEvents(() => 'openai/gpt-5');
    relay.push(frame('response.output_text.delta', { sequence_number: 4, delta: 'x' }));
    expect(() => relay.end()).toThrow(/ended before it was complete/);
    const [event] = parse(relay.error(new GatewayError({ status: 502, code: 'upstream_error', message: 'gone' })));
    expect(event).toEqual({
      event: 'error',
      data: { type: 'error', sequence_number: 5, code: 'upstream_error', message: 'gone', param: null },
    });
  });

  it('refuses a stream event that is not JSON', () => {
    const relay = new NativeResponsesEvents(() => 'openai/gpt-5');
    expect(() => relay.push({ event: 'response.completed', data: '{oops', id: undefined })).toThrow(GatewayError);
  });
});
