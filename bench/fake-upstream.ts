/**
 * The benchmark's fake OpenAI-compatible upstream, run as its own process: `node:http` with
 * keep-alive, answering as fast as it can so that it measures the path in front of it.
 *
 * - `POST /v1/chat/completions`: a small chat completion with usage, or with `"stream": true`
 *   20 SSE chunks (role, 18 content tokens, finish) written back to back, then a usage chunk and
 *   `data: [DONE]` — OpenAI's exact framing with `stream_options.include_usage`.
 * - `GET /v1/models`: a one-model list.
 *
 * Answers are built once at start; per request it only reads the body and looks for `"stream":true`
 * (no JSON parse, so the upstream's own cost stays small and equal for every target).
 * Tells the parent its port over IPC: `{ type: 'ready', port }`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const STREAM_CHUNKS = 20;
const CREATED = 1_767_225_600;
const ID = 'chatcmpl-bench0123456789abcdefghij';
const WORDS = 'Hello there friend this is a short streamed answer from the fake upstream used by the Z-AI benchmark'.split(' ');

function chunk(delta: Record<string, unknown>, finishReason: string | null): string {
  return `data: ${JSON.stringify({
    id: ID,
    object: 'chat.completion.chunk',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    usage: null,
  })}\n\n`;
}

const USAGE = {
  prompt_tokens: 24,
  completion_tokens: 18,
  total_tokens: 42,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: 0,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
};

/** The 20 chunks, the usage chunk and [DONE], each one write. */
export const STREAM_EVENTS: string[] = (() => {
  const events = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (let i = 0; i < STREAM_CHUNKS - 2; i++) events.push(chunk({ content: `${WORDS[i % WORDS.length]} ` }, null));
  events.push(chunk({}, 'stop'));
  events.push(
    `data: ${JSON.stringify({ id: ID, object: 'chat.completion.chunk', created: CREATED, model: 'gpt-4o-mini-2024-07-18', service_tier: 'default', system_fingerprint: 'fp_bench', choices: [], usage: USAGE })}\n\n`,
  );
  events.push('data: [DONE]\n\n');
  return events;
})();

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: ID,
    object: 'chat.completion',
    created: CREATED,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: WORDS.slice(0, 18).join(' '), refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
  }),
);

const MODELS = Buffer.from(
  JSON.stringify({ object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: CREATED, owned_by: 'system' }] }),
);

const STREAM_FLAG = /"stream"\s*:\s*true/;

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method === 'GET' && req.url === '/v1/models') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': MODELS.length }).end(MODELS);
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
    if (!STREAM_FLAG.test(body)) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': COMPLETION.length }).end(COMPLETION);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const last = STREAM_EVENTS.length - 1;
    for (let i = 0; i < last; i++) {
      if (res.destroyed) return;
      res.write(STREAM_EVENTS[i]);
    }
    res.end(STREAM_EVENTS[last]);
  });
}

/** Starts the fake on 127.0.0.1 (port 0 = any free port). */
export async function startFakeUpstream(port = 0): Promise<http.Server> {
  const server = http.createServer({ keepAlive: true }, handle);
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

// Run as a child process by bench.ts.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const server = await startFakeUpstream(Number(process.env.PORT ?? 0));
  const { port } = server.address() as AddressInfo;
  process.send?.({ type: 'ready', port });
}
