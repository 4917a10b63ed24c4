/** relayStream keeps a silent stream alive with comment lines, and only while it waits on the upstream. */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SSE_KEEPALIVE } from '../openai/sse-encoder.js';
import { createChatStream } from '../providers/openai-compatible/stream.js';
import type { Metrics } from '../usage/metrics.js';
import { Cancellation } from './cancellation.js';
import { KEEPALIVE_MS, relayStream } from './relay-stream.js';
import type { ClientStream, RequestContext } from './request-context.js';
import type { UpstreamResponse } from './upstream-client.js';

const metrics = { streamOpened: () => undefined, streamClosed: () => undefined } as unknown as Metrics;
const chunk = (extra: string): string => `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[${extra}]}\n\n`;

function setup(): { ctx: RequestContext; writes: string[]; body: PassThrough; response: UpstreamResponse } {
  const writes: string[] = [];
  const client: ClientStream = {
    destroyed: false,
    write: (text: string) => writes.push(text) > 0,
    end: (text?: string) => void writes.push(text ?? ''),
    once: () => client,
    removeListener: () => client,
  };
  const ctx: RequestContext = {
    requestId: 'req_test',
    auth: { id: 'key_test' } as RequestContext['auth'],
    startedAt: performance.now(),
    signal: new Cancellation(),
    openStream: () => client,
  };
  const body = new PassThrough();
  return { ctx, writes, body, response: { status: 200, headers: {}, body } as unknown as UpstreamResponse };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('relayStream keep-alive', () => {
  it('writes a comment line after a long upstream silence, then relays the rest', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    const { ctx, writes, body, response } = setup();
    const relayed = relayStream(ctx, response, createChatStream({ publicModel: 'openai/m', includeUsage: false, toolIds: undefined }), {}, metrics, () => undefined);
    body.write(chunk('{"index":0,"delta":{"content":"Thinking"},"finish_reason":null}'));
    await vi.waitFor(() => expect(writes.join('')).toContain('Thinking'));

    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS - 1000);
    expect(writes).not.toContain(SSE_KEEPALIVE);
    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS + 1000);
    expect(writes.filter((w) => w === SSE_KEEPALIVE).length).toBeGreaterThanOrEqual(1);

    body.end(chunk('{"index":0,"delta":{"content":" done"},"finish_reason":"stop"}') + 'data: [DONE]\n\n');
    const outcome = await relayed;
    expect(outcome.status).toBe(200);
    expect(writes.join('')).toContain(' done');
    // No timer is left behind once the answer is over.
    const before = writes.length;
    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS * 3);
    expect(writes.length).toBe(before);
  });
});
