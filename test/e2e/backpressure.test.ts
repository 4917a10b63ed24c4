/**
 * A fast upstream and a client that does not read: Z-AI must not buffer the answer in memory. It
 * stops reading the upstream (which then sees its own writes back up) until the client catches
 * up, and the client still gets every byte in order.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type Zai } from '../helpers/harness.js';
import { sleep, startFakeServer, type FakeServer } from '../helpers/fake-upstream.js';

const EVENTS = 150_000;
/** ~55 MB of SSE: several times what loopback socket buffers (a few MB each way) and Z-AI's 64 KiB read-ahead hold together. */
const PIECE = 'x'.repeat(200);

let zai: Zai;
let fake: FakeServer;
let key: string;
let written = 0;

function event(i: number): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-bp', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: `${i}:${PIECE}|` }, finish_reason: null }] })}\n\n`;
}

beforeAll(async () => {
  zai = await startZai();
  fake = await startFakeServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < EVENTS; i++) {
      const frame = event(i);
      written += Buffer.byteLength(frame);
      // Honour backpressure like a real server: wait while the socket is full.
      if (!res.write(frame)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end(
      `data: ${JSON.stringify({ id: 'chatcmpl-bp', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: EVENTS, total_tokens: EVENTS + 3 } })}\n\ndata: [DONE]\n\n`,
    );
  });
  ({ key } = await accountWithKey(zai, { baseUrl: `${fake.url}/v1` }));
});

afterAll(async () => {
  await zai.close();
  await fake.close();
});

describe('backpressure', () => {
  it('stops reading a fast upstream while the client does not read, then delivers everything in order', async () => {
    const total = Array.from({ length: EVENTS }, (_, i) => Buffer.byteLength(event(i))).reduce((a, b) => a + b, 0);
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        `${zai.url}/v1/chat/completions`,
        { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
        (res) => {
          // Read nothing for a while: everything the upstream could write by now sits in buffers.
          res.pause();
          void (async () => {
            await sleep(1500);
            const stalled = written;
            expect(stalled).toBeLessThan(total / 3);
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
            res.on('error', reject);
            res.resume();
          })().catch(reject);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'go' }], stream: true }));
    });
    expect(written).toBe(total);
    const contents = text
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map(
        (frame) => (JSON.parse(frame.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content,
      )
      .filter((content): content is string => content !== undefined && content !== '');
    expect(contents).toHaveLength(EVENTS);
    expect(contents.every((content, i) => content.startsWith(`${i}:`))).toBe(true);
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  }, 60_000);
});
