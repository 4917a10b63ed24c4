/**
 * Fake provider servers for end-to-end tests: real HTTP on a loopback port, real status codes,
 * SSE framing and error bodies. Each test scripts the answer per request and reads back exactly
 * what the gateway sent (method, path, headers, body) and when connections closed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** Resolves when the client side of this request's connection closed (or the response finished). */
  closed: Promise<number>;
}

export type FakeHandler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>;

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Replaces the handler (default: 404). */
  handle(handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeServer(handler?: FakeHandler): Promise<FakeServer> {
  let current: FakeHandler =
    handler ??
    ((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no handler"}}');
    });
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<number>((resolve) => res.once('close', () => resolve(performance.now())));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        closed,
      };
      requests.push(recorded);
      void Promise.resolve(current(recorded, res)).catch(() => res.destroy());
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A recorded request's JSON body, as an object whose fields a test reads. */
/** A JSON object as the fakes send and receive it. */
export type Json = Record<string, unknown>;

export function bodyOf(req: RecordedRequest): Json {
  return req.json as Json;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Writes an SSE body, one event per write, with a pause between writes. */
export async function writeSse(res: http.ServerResponse, events: string[], delayMs = 0): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) {
    if (res.destroyed) return;
    res.write(event);
    if (delayMs > 0) await sleep(delayMs);
  }
  res.end();
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** An OpenAI chat completion body. */
export function openAICompletion(
  opts: { model?: string; content?: string; usage?: { prompt_tokens: number; completion_tokens: number; cached?: number } } = {},
): unknown {
  const usage = opts.usage ?? { prompt_tokens: 12, completion_tokens: 5 };
  return {
    id: 'chatcmpl-fake1',
    object: 'chat.completion',
    created: 1767225600,
    model: opts.model ?? 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: opts.content ?? 'Hello from the fake.', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: {
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      total_tokens: usage.prompt_tokens + usage.completion_tokens,
      prompt_tokens_details: { cached_tokens: usage.cached ?? 0 },
    },
  };
}

/** OpenAI SSE events for a text answer split into pieces, with the usage chunk and [DONE]. */
export function openAIStreamEvents(pieces: string[], usage = { prompt_tokens: 12, completion_tokens: 5 }): string[] {
  const base = { id: 'chatcmpl-fake2', object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini' };
  const events = [
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], usage: null })}\n\n`,
    ...pieces.map(
      (p) =>
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }], usage: null })}\n\n`,
    ),
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: null })}\n\n`,
    `data: ${JSON.stringify({ ...base, choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } })}\n\n`,
    'data: [DONE]\n\n',
  ];
  return events;
}

const chunkBase = { id: 'chatcmpl-t1', object: 'chat.completion.chunk', created: 1767225600, model: 'gpt-4o-mini' };

/** One OpenAI SSE chunk with a single choice. */
export function openAIChunk(delta: Record<string, unknown>, finish: string | null = null): string {
  return `data: ${JSON.stringify({ ...chunkBase, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
}

/** The OpenAI usage chunk that follows the finish reason when `include_usage` was asked for. */
export function openAIUsageChunk(prompt: number, completion: number, cached = 0): string {
  return `data: ${JSON.stringify({
    ...chunkBase,
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached },
    },
  })}\n\n`;
}

export const OPENAI_DONE = 'data: [DONE]\n\n';

/** An OpenAI chat completion whose answer is only tool calls. */
export function openAIToolCallCompletion(calls: Array<{ id: string; name: string; arguments: string }>): Record<string, unknown> {
  return {
    id: 'chatcmpl-tools',
    object: 'chat.completion',
    created: 1767225600,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })),
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 40, completion_tokens: 12, total_tokens: 52 },
  };
}

/**
 * Where to cut an event in two: right between a CR and its LF when the event uses CRLF (the
 * hardest case for a line parser), otherwise in the middle of the JSON.
 */
function splitPoint(frame: string): number {
  const crlf = frame.indexOf('\r\n');
  return crlf > 0 ? crlf + 1 : Math.floor(frame.length / 2);
}

/**
 * Writes SSE frames like a real server over a real socket: each frame in two halves with a pause
 * between them (so the gateway reads half an event, then the rest), then a pause before the next
 * frame. `end` says how the response finishes: a clean end or a hard reset.
 */
export async function writeFrames(
  res: http.ServerResponse,
  frames: string[],
  opts: { pauseMs?: number; end?: 'end' | 'destroy'; headers?: Record<string, string> } = {},
): Promise<void> {
  const pause = opts.pauseMs ?? 5;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...opts.headers });
  for (const frame of frames) {
    if (res.destroyed) return;
    const at = splitPoint(frame);
    res.write(frame.slice(0, at));
    await sleep(pause);
    if (res.destroyed) return;
    res.write(frame.slice(at));
    await sleep(pause);
  }
  // Let the last bytes reach the gateway before a hard reset.
  if (opts.end === 'destroy') {
    await sleep(50);
    res.destroy();
  } else res.end();
}

/** Reads an OpenAI SDK stream to its end: the text, the last finish reason, and what it threw (if anything). */
export async function drainStream(
  stream: AsyncIterable<{ choices: Array<{ delta: { content?: string | null }; finish_reason: string | null }> }>,
): Promise<{ text: string; finish: string | null; error: unknown }> {
  let text = '';
  let finish: string | null = null;
  try {
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return { text, finish, error: undefined };
  } catch (error) {
    return { text, finish, error };
  }
}
