/**
 * A coding agent sends its whole context (100 KB and more) on every turn and then reads a stream
 * for minutes, or waits as long for a non-streamed answer. Once the call is sent, the request must
 * not keep copies of that context alive: the client's text and the text sent upstream are let go,
 * and what stays (the parsed request, kept for fallbacks and billing) is about one copy. Measured
 * on the server's own heap (this process: the server runs in it), with answers held back by fake
 * upstreams that keep nothing of what they read.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountWithKey, startZai, type Zai } from '../helpers/harness.js';

const STREAMS = 24;
/** Characters of context per request (ASCII: one byte each in V8's strings). */
const CONTEXT = 160 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface HoldingUpstream {
  url: string;
  /** Requests read whose answer is held (started, or not yet begun). */
  held: number;
  release(): void;
  close(): Promise<void>;
}

/**
 * An upstream that reads and drops each request body, starts a stream (`start`) and holds it until
 * released; with `start` undefined it holds back the whole answer, head included, and then sends
 * `finish` as JSON.
 */
async function holdingUpstream(start: string | undefined, finish: string): Promise<HoldingUpstream> {
  const waiting: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (start !== undefined) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(start);
      }
      waiting.push(res);
      upstream.held = waiting.length;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const upstream: HoldingUpstream = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: 0,
    release: () => {
      for (const res of waiting.splice(0)) {
        if (start === undefined) res.writeHead(200, { 'content-type': 'application/json' });
        res.end(finish);
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return upstream;
}

const sse = (data: object, event?: string): string => `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
const chunk = (delta: object, finish: string | null, usage?: object): string =>
  sse({
    id: 'chatcmpl-ctx',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'gpt-4o-mini',
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  });

/** A context like an agent's: files with escaped line breaks and quotes, different in every request. */
function messages(n: number): Array<{ role: 'user' | 'assistant'; content: string }> {
  const file = `export const value${n} = "quoted";\n// a comment that goes on for a while\n`.repeat(40);
  const out: Array<{ role: 'user' | 'assistant'; content: string }> = [];
  for (let size = 0, turn = 0; size < CONTEXT; turn++) {
    const content = `Contents of src/file-${n}-${turn}.ts:\n${file}`;
    out.push({ role: turn % 2 === 0 ? 'user' : 'assistant', content });
    size += content.length;
  }
  out.push({ role: 'user', content: 'Go on.' });
  return out;
}

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sends every body at once; resolves with each answer's text once all of them have ended. */
function sendAll(url: string, headers: Record<string, string>, bodies: Buffer[]): Array<Promise<string>> {
  return bodies.map(
    (body) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (part: string) => (text += part));
          res.on('end', () => resolve(text));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      }),
  );
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(check()).toBe(true);
}

let zai: Zai;
beforeAll(async () => {
  zai = await startZai();
});
afterAll(async () => {
  await zai.close();
});

/** Heap held per open stream, in units of the request body's size. */
async function heldPerStream(
  upstream: HoldingUpstream,
  url: string,
  headers: Record<string, string>,
  body: (n: number) => object,
) {
  // The bodies are bytes outside the heap, built before the baseline.
  const bodies = Array.from({ length: STREAMS }, (_, n) => Buffer.from(JSON.stringify(body(n))));
  const size = bodies.reduce((sum, b) => sum + b.length, 0) / STREAMS;
  // One request first, so that whatever the first request builds once (compiled code, caches) is in the baseline.
  const warm = sendAll(url, headers, [Buffer.from(JSON.stringify(body(STREAMS)))]);
  await until(() => upstream.held === 1);
  upstream.release();
  await Promise.all(warm);
  upstream.held = 0;

  const before = heapUsed();
  const answers = sendAll(url, headers, bodies);
  await until(() => upstream.held === STREAMS);
  // Every stream is open and its call sent: what the heap holds now is what a long stream keeps.
  const held = (heapUsed() - before) / STREAMS / size;
  upstream.release();
  return { held, answers: await Promise.all(answers) };
}

/** heldPerStream on the chat completions route, through an OpenAI-compatible provider at `upstream`. */
async function heldOnChat(upstream: HoldingUpstream, stream: boolean) {
  const { key } = await accountWithKey(zai, { baseUrl: `${upstream.url}/v1` });
  return heldPerStream(upstream, `${zai.url}/v1/chat/completions`, { authorization: `Bearer ${key}` }, (n) => ({
    model: 'openai/gpt-4o-mini',
    messages: messages(n),
    ...(stream ? { stream: true } : {}),
  }));
}

describe('an agent-sized context under an open stream', () => {
  it('is held about once on the chat completions route, not as three copies', async () => {
    const upstream = await holdingUpstream(
      chunk({ role: 'assistant', content: 'Hel' }, null),
      chunk({ content: 'lo' }, null) +
        chunk({}, 'stop') +
        chunk({}, null, { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 }) +
        'data: [DONE]\n\n',
    );
    try {
      const { held, answers } = await heldOnChat(upstream, true);
      for (const text of answers) expect(text).toContain('data: [DONE]');
      // The parsed request is about one and a half bodies' size (its objects and strings); the client's
      // text and the copy sent upstream would add one body each (measured: 3.4 with both kept, 2.4 with one).
      expect(held).toBeLessThan(2);
    } finally {
      await upstream.close();
    }
  });

  it('is held about once on the Anthropic Messages passthrough (Claude Code), not as two copies', async () => {
    const message = {
      id: 'msg_ctx',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 9, output_tokens: 1 },
    };
    const upstream = await holdingUpstream(
      sse({ type: 'message_start', message }, 'message_start') +
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start') +
        sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }, 'content_block_delta'),
      sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop') +
        sse(
          { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } },
          'message_delta',
        ) +
        sse({ type: 'message_stop' }, 'message_stop'),
    );
    try {
      const { key } = await accountWithKey(zai, {
        provider: 'anthropic',
        apiKey: 'sk-ant-api03-context-0123456789abcdefghij',
        baseUrl: upstream.url,
      });
      const { held, answers } = await heldPerStream(
        upstream,
        `${zai.url}/v1/messages`,
        { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
        (n) => ({ model: 'anthropic/claude-sonnet-4-5', max_tokens: 1024, messages: messages(n), stream: true }),
      );
      for (const text of answers) expect(text).toContain('event: message_stop');
      // The parsed request, kept for fallbacks; the edited text sent upstream would add one body (2.2).
      expect(held).toBeLessThan(1.7);
    } finally {
      await upstream.close();
    }
  });

  it('is held about once while a non-streamed answer is awaited, not as three copies', async () => {
    const upstream = await holdingUpstream(
      undefined,
      JSON.stringify({
        id: 'chatcmpl-ctx',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 },
      }),
    );
    try {
      const { held, answers } = await heldOnChat(upstream, false);
      for (const text of answers) expect(JSON.parse(text)).toMatchObject({ choices: [{ message: { content: 'Hello' } }] });
      // No answer head yet: the client's text and the copy sent upstream would add one body each.
      expect(held).toBeLessThan(2);
    } finally {
      await upstream.close();
    }
  });
});
