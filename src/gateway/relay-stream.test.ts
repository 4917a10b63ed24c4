/**
 * relayStream ends the client's answer as soon as the transform is complete and drains the rest,
 * and keeps a silent stream alive with comment lines while it waits on the upstream.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SSE_KEEPALIVE } from '../openai/sse-encoder.js';
import type { ChatCompletionChunk } from '../openai/types.js';
import { createChatStream } from '../providers/openai-compatible/stream.js';
import type { Metrics } from '../usage/metrics.js';
import { Cancellation } from './cancellation.js';
import { AttemptLog } from './attempt-log.js';
import type { ChunkEncoder } from './client-codec.js';
import { KEEPALIVE_MS, relayStream } from './relay-stream.js';
import type { ClientStream, RequestContext } from './request-context.js';
import type { UpstreamResponse } from './upstream-client.js';

class Client implements ClientStream {
  writes: string[] = [];
  ends: Array<string | undefined> = [];
  destroyed = false;
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
  end(chunk?: string): void {
    this.ends.push(chunk);
  }
  once(): unknown {
    return this;
  }
  removeListener(): unknown {
    return this;
  }
}

function setup(): { ctx: RequestContext; client: Client; body: PassThrough; response: UpstreamResponse; metrics: Metrics } {
  const client = new Client();
  const ctx: RequestContext = {
    requestId: 'req_test',
    bodyText: undefined,
    auth: { id: 'key_test' } as RequestContext['auth'],
    startedAt: performance.now(),
    signal: new Cancellation(),
    attempts: new AttemptLog(),
    openStream: () => client,
  };
  const body = new PassThrough();
  const response = { status: 200, headers: {}, body } as unknown as UpstreamResponse;
  const metrics = { streamOpened: () => undefined, streamClosed: () => undefined } as unknown as Metrics;
  return { ctx, client, body, response, metrics };
}

/** `encoded`: made for an encoder that takes OpenAI's chunks as text (as the gateway makes it for one). */
const openAIStream = (includeUsage = false, encoded = true): ReturnType<typeof createChatStream> =>
  createChatStream({ publicModel: 'openai/m', includeUsage, toolIds: undefined, reasoning: true, encoded });

const chunk = (extra: string): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[${extra}]}\n\n`;

/** Relays an upstream body that arrives whole, in one read. */
async function relayWhole(text: string): Promise<{ outcome: Awaited<ReturnType<typeof relayStream>>; client: Client }> {
  const { ctx, client, body, response, metrics } = setup();
  body.end(text);
  return { outcome: await relayStream(ctx, response, openAIStream(), {}, metrics, () => undefined, Infinity), client };
}

describe('relayStream, complete answers', () => {
  it('ends the client at [DONE] in one write while the upstream body is still open, then drains it', async () => {
    const { ctx, client, body, response, metrics } = setup();
    const transform = openAIStream(true);
    body.write(chunk('{"index":0,"delta":{"content":"Hi"},"finish_reason":null}'));
    const relayed = relayStream(ctx, response, transform, {}, metrics, () => undefined, Infinity);
    await new Promise((r) => setImmediate(r));
    body.write(
      chunk('{"index":0,"delta":{},"finish_reason":"stop"}') +
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n' +
        'data: [DONE]\n\n',
    );
    // The upstream body has not ended, yet the relay is done.
    const outcome = await relayed;
    expect(outcome).toMatchObject({
      status: 200,
      errorCode: null,
      usage: { promptTokens: 3, completionTokens: 2, cachedTokens: 0 },
    });
    expect(client.ends).toHaveLength(1);
    const last = client.ends[0] ?? '';
    expect(last).toContain('"finish_reason":"stop"');
    expect(last).toContain('"usage":{"prompt_tokens":3');
    expect(last.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(client.writes.join('')).toContain('"content":"Hi"');
    // The rest is read (not destroyed), so the connection can be reused.
    body.end('data: ignored\n\n');
    await new Promise((r) => body.once('end', r));
    expect(body.readableEnded).toBe(true);
  });

  it('ends with [DONE] in the same write when the body ends right after it', async () => {
    const { outcome, client } = await relayWhole(
      chunk('{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}') + 'data: [DONE]\n\n',
    );
    expect(outcome.status).toBe(200);
    expect(client.writes).toEqual([]);
    expect(client.ends).toHaveLength(1);
    expect(client.ends[0]).toMatch(/"content":"Hi".*\n\ndata: \[DONE\]\n\n$/s);
  });

  it('reports a connection that fails right after [DONE] as a failure, never a clean finish', async () => {
    const { ctx, client, body, response, metrics } = setup();
    const transform = openAIStream();
    body.write(chunk('{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}') + 'data: [DONE]\n\n');
    setImmediate(() => body.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })));
    const outcome = await relayStream(ctx, response, transform, {}, metrics, () => undefined, Infinity);
    expect(outcome.status).toBe(502);
    expect(client.ends[0]).not.toContain('[DONE]');
  });

  it('still writes what came before a mid-read error, then the SSE error', async () => {
    const { outcome, client } = await relayWhole(
      chunk('{"index":0,"delta":{"content":"Hi"},"finish_reason":null}') + 'data: {"error":{"message":"boom"}}\n\n',
    );
    expect(outcome.status).toBeGreaterThanOrEqual(500);
    expect(client.writes.join('')).toContain('"content":"Hi"');
    expect(client.ends[0]).toContain('boom');
  });
});

describe('relayStream keep-alive', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes a comment line after a long upstream silence, then relays the rest', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    const { ctx, client, body, response, metrics } = setup();
    const relayed = relayStream(ctx, response, openAIStream(), {}, metrics, () => undefined, Infinity);
    body.write(chunk('{"index":0,"delta":{"content":"Thinking"},"finish_reason":null}'));
    await vi.waitFor(() => expect(client.writes.join('')).toContain('Thinking'));

    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS - 1000);
    expect(client.writes).not.toContain(SSE_KEEPALIVE);
    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS + 1000);
    expect(client.writes.filter((w) => w === SSE_KEEPALIVE).length).toBeGreaterThanOrEqual(1);

    body.end(chunk('{"index":0,"delta":{"content":" done"},"finish_reason":"stop"}') + 'data: [DONE]\n\n');
    const outcome = await relayed;
    expect(outcome.status).toBe(200);
    expect(client.ends.join('')).toContain(' done');
    // No timer is left behind once the answer is over.
    const writes = client.writes.length;
    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS * 3);
    expect(client.writes.length).toBe(writes);
  });
});

describe('relayStream with another client API’s encoder', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An encoder for a made-up API: one line per chunk's content, its own end, error and keep-alive. */
  const lines: ChunkEncoder = {
    acceptsEncoded: false,
    encode: (chunks) =>
      chunks.map((c) => `text ${String((c as ChatCompletionChunk).choices[0]?.delta.content ?? '')}\n`).join(''),
    done: (usage) => `end ${usage?.completionTokens ?? '?'}\n`,
    error: (error) => `failed ${error.status}\n`,
    keepAlive: 'ping\n',
  };

  it('writes the chunks, the keep-alive, the end (with the final usage) and errors in that encoder’s form', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'performance'] });
    const { ctx, client, body, response, metrics } = setup();
    const relayed = relayStream(ctx, response, openAIStream(true, false), {}, metrics, () => undefined, Infinity, lines);
    body.write(chunk('{"index":0,"delta":{"content":"Hi"},"finish_reason":null}'));
    await vi.waitFor(() => expect(client.writes).toContain('text Hi\n'));
    await vi.advanceTimersByTimeAsync(KEEPALIVE_MS * 2 + 1000);
    expect(client.writes).toContain('ping\n');
    body.end(
      chunk('{"index":0,"delta":{},"finish_reason":"stop"}') +
        'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}\n\n' +
        'data: [DONE]\n\n',
    );
    await relayed;
    expect(client.ends.at(-1)).toMatch(/end 2\n$/);

    const failing = setup();
    failing.body.end(
      chunk('{"index":0,"delta":{"content":"Hi"},"finish_reason":null}') + 'data: {"error":{"message":"boom"}}\n\n',
    );
    const outcome = await relayStream(
      failing.ctx,
      failing.response,
      openAIStream(false, false),
      {},
      failing.metrics,
      () => undefined,
      Infinity,
      lines,
    );
    expect(outcome.status).toBe(502);
    expect(failing.client.writes.join('')).toBe('text Hi\n');
    expect(failing.client.ends).toEqual(['failed 502\n']);
  });
});
