/**
 * The soak test's fault-injecting fake OpenAI-compatible upstream (`node:http`), run as its own
 * process so its CPU and memory stay out of Z-AI's and the load generator's.
 *
 * `POST /v1/chat/completions` answers with one behaviour per request. The load generator draws the
 * behaviour at random and names it in the last user message (`soak:<behaviour>:<n>`), so that it
 * knows what Z-AI should have answered; a request without a directive gets a random behaviour.
 *
 *   json-ok / stream-ok          a normal answer (SSE: role chunk, content chunks, finish, usage, [DONE])
 *   status-500 / status-429      an OpenAI-shaped error (429 with `retry-after: 1`)
 *   reset-before-headers         the socket is destroyed before any byte is sent
 *   stall-before-headers         no answer at all (Z-AI's first-byte timeout must fire)
 *   stream-stall-after-headers   200 + SSE headers, then silence (nothing committed to the client yet)
 *   reset-mid-stream             a few chunks, then the socket is destroyed
 *   stall-mid-stream             a few chunks, then silence (Z-AI's idle timeout must fire)
 *   stream-garbage               a few chunks, then an event that is not JSON
 *   json-reset-mid-body          200 with a content-length, half the body, then the socket is destroyed
 *   json-stall-mid-body          200 with a content-length, half the body, then silence
 *   bad-json                     200 with a body that is not JSON
 *   slow                         a stream of SLOW_CHUNKS content chunks SLOW_INTERVAL_MS apart (phase B)
 *
 * Stalled answers are held until Z-AI gives up and closes the connection; every timer is cleared
 * when the connection closes, so the fake itself never accumulates anything.
 *
 * Run as a child: tells the parent `{ type: 'ready', port }` over IPC, answers `{ type: 'stats' }`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BEHAVIOURS = [
  'json-ok',
  'stream-ok',
  'status-500',
  'status-429',
  'reset-before-headers',
  'stall-before-headers',
  'stream-stall-after-headers',
  'reset-mid-stream',
  'stall-mid-stream',
  'stream-garbage',
  'json-reset-mid-body',
  'json-stall-mid-body',
  'bad-json',
  'slow',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Content chunks of a normal streamed answer in phase A, and the gap between them. */
export const OK_CHUNKS = 8;
export const OK_INTERVAL_MS = 15;
/** Phase B: the slow stream the memory bound is judged on (50 chunks, 100 ms apart). */
export const SLOW_CHUNKS = 50;
export const SLOW_INTERVAL_MS = 100;
/** Chunks sent before a mid-stream fault. */
const CHUNKS_BEFORE_FAULT = 3;
const CREATED = 1_767_225_600;
const UPSTREAM_MODEL = 'gpt-4o-mini-2024-07-18';

/** The text piece of content chunk `i`; the load generator rebuilds the full text from it. */
export function piece(i: number): string {
  return `t${i} `;
}

/** The full text of an answer of `n` chunks. */
export function fullText(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += piece(i);
  return s;
}

function usage(completionTokens: number): Record<string, unknown> {
  return {
    prompt_tokens: 11,
    completion_tokens: completionTokens,
    total_tokens: 11 + completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
  };
}

function chunkEvent(id: string, delta: Record<string, unknown>, finishReason: string | null): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model: UPSTREAM_MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] })}\n\n`;
}

function usageEvent(id: string, completionTokens: number): string {
  return `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: CREATED, model: UPSTREAM_MODEL, choices: [], usage: usage(completionTokens) })}\n\n`;
}

function completion(id: string, n: number): string {
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created: CREATED,
    model: UPSTREAM_MODEL,
    choices: [
      { index: 0, message: { role: 'assistant', content: fullText(n), refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: usage(n),
  });
}

const DIRECTIVE = /soak:([a-z0-9-]+):/;

function pickRandom(stream: boolean): Behaviour {
  const streamOnly: Behaviour[] = [
    'stream-ok',
    'stream-stall-after-headers',
    'reset-mid-stream',
    'stall-mid-stream',
    'stream-garbage',
  ];
  const jsonOnly: Behaviour[] = ['json-ok', 'json-reset-mid-body', 'json-stall-mid-body', 'bad-json'];
  const both: Behaviour[] = ['status-500', 'status-429', 'reset-before-headers', 'stall-before-headers'];
  const options = [
    ...(stream ? streamOnly : jsonOnly),
    ...both,
    ...(stream ? ['stream-ok' as const] : ['json-ok' as const]).flatMap((b) => [b, b, b]),
  ];
  return options[Math.floor(Math.random() * options.length)] ?? (stream ? 'stream-ok' : 'json-ok');
}

export interface FaultStats {
  requests: number;
  byBehaviour: Record<string, number>;
  /** Connections open right now, and responses still held open (stalls and streams). */
  openSockets: number;
  openResponses: number;
}

export interface FaultUpstream {
  server: http.Server;
  port: number;
  stats(): FaultStats;
  close(): Promise<void>;
}

export async function startFaultUpstream(port = 0): Promise<FaultUpstream> {
  const byBehaviour: Record<string, number> = {};
  let requests = 0;
  let openSockets = 0;
  let openResponses = 0;
  let seq = 0;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }],
        }),
      );
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      req.resume();
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      body += part;
    });
    req.on('end', () => {
      let stream: boolean;
      let directive: string | undefined;
      try {
        const parsed = JSON.parse(body) as { stream?: unknown; messages?: Array<{ content?: unknown }> };
        stream = parsed.stream === true;
        const last = parsed.messages?.at(-1)?.content;
        if (typeof last === 'string') directive = DIRECTIVE.exec(last)?.[1];
      } catch {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":{"message":"bad json","type":"invalid_request_error"}}');
        return;
      }
      const behaviour: Behaviour = (BEHAVIOURS as readonly string[]).includes(directive ?? '')
        ? (directive as Behaviour)
        : pickRandom(stream);
      requests += 1;
      byBehaviour[behaviour] = (byBehaviour[behaviour] ?? 0) + 1;
      answer(behaviour, `chatcmpl-soak${(seq++).toString(36)}`, res);
    });
  };

  const answer = (behaviour: Behaviour, id: string, res: http.ServerResponse): void => {
    openResponses += 1;
    let timer: NodeJS.Timeout | undefined;
    res.once('close', () => {
      openResponses -= 1;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    });
    const sse = (): void => {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
      res.flushHeaders();
    };
    /** Writes the role chunk and content chunks from..n-1 at `gap` ms intervals, then `after`. */
    const streamChunks = (n: number, gap: number, after: () => void): void => {
      res.write(chunkEvent(id, { role: 'assistant', content: '' }, null));
      let i = 0;
      const next = (): void => {
        timer = undefined;
        if (res.destroyed) return;
        if (i >= n) return after();
        res.write(chunkEvent(id, { content: piece(i) }, null));
        i += 1;
        timer = setTimeout(next, gap);
      };
      next();
    };
    const finish = (n: number) => (): void => {
      res.end(chunkEvent(id, {}, 'stop') + usageEvent(id, n) + 'data: [DONE]\n\n');
    };
    const destroy = (): void => {
      res.socket?.destroy();
    };

    switch (behaviour) {
      case 'json-ok': {
        const text = completion(id, OK_CHUNKS);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        return;
      }
      case 'stream-ok':
        sse();
        streamChunks(OK_CHUNKS, OK_INTERVAL_MS, finish(OK_CHUNKS));
        return;
      case 'slow':
        sse();
        streamChunks(SLOW_CHUNKS, SLOW_INTERVAL_MS, finish(SLOW_CHUNKS));
        return;
      case 'status-500':
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"error":{"message":"The fake is overloaded.","type":"server_error","code":null,"param":null}}');
        return;
      case 'status-429':
        res
          .writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' })
          .end('{"error":{"message":"Rate limit reached (fake).","type":"requests","code":"rate_limit_exceeded","param":null}}');
        return;
      case 'reset-before-headers':
        destroy();
        return;
      case 'stall-before-headers':
        return;
      case 'stream-stall-after-headers':
        sse();
        return;
      case 'reset-mid-stream':
        sse();
        streamChunks(CHUNKS_BEFORE_FAULT, OK_INTERVAL_MS, () => {
          timer = setTimeout(destroy, OK_INTERVAL_MS);
        });
        return;
      case 'stall-mid-stream':
        sse();
        streamChunks(CHUNKS_BEFORE_FAULT, OK_INTERVAL_MS, () => {});
        return;
      case 'stream-garbage':
        sse();
        streamChunks(CHUNKS_BEFORE_FAULT, OK_INTERVAL_MS, () => {
          res.end('data: {"id": this is not json\n\ndata: [DONE]\n\n');
        });
        return;
      case 'json-reset-mid-body':
      case 'json-stall-mid-body': {
        const text = completion(id, OK_CHUNKS);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        if (behaviour === 'json-reset-mid-body') timer = setTimeout(destroy, 5);
        return;
      }
      case 'bad-json':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "chatcmpl-broken", "choices": [ this is not json');
        return;
    }
  };

  const server = http.createServer({ keepAlive: true }, handle);
  // Short keep-alive, so idle connections go away soon after the load stops (socket-leak check).
  server.keepAliveTimeout = 1_000;
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.on('connection', (socket) => {
    openSockets += 1;
    socket.once('close', () => {
      openSockets -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stats: () => ({ requests, byBehaviour: { ...byBehaviour }, openSockets, openResponses }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Run as a child process by soak.ts.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const fake = await startFaultUpstream(Number(process.env.PORT ?? 0));
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type === 'stats') process.send?.({ type: 'stats', id: message.id, stats: fake.stats() });
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port: fake.port });
}
