/**
 * The soak's clients: a cookie-keeping management-API client (sign up, paste the provider, create
 * a key, read usage) and one `/v1/chat/completions` call that classifies what Z-AI answered.
 *
 * A call ends in exactly one of:
 * - answered: 2xx, and the complete answer (JSON completion, or SSE chunks ending in `[DONE]`) with
 *   exactly the text the fake sent;
 * - errored: an OpenAI-shaped error (a JSON `{"error": {...}}` body with a 4xx/5xx status, or a
 *   final SSE `data: {"error": …}` event after the 200 with nothing after it);
 * - failure: anything else: no answer within the deadline, a malformed answer, a stream that just
 *   stops, wrong text, or a connection error to Z-AI.
 */
import type { Agent } from 'undici';
import { request } from 'undici';

export type Kind = 'answered' | 'errored' | 'failure';

export interface Outcome {
  kind: Kind;
  /** `ok`, `http <status>` (JSON error) or `sse-error <code>` (error event after the 200). */
  signature: string;
  /** HTTP status Z-AI sent (0 when there was none). */
  status: number;
  /** `error.code` of an error answer. */
  code: string | null;
  requestId: string | undefined;
  ms: number;
  /** Time to the first body byte. */
  ttfbMs: number | undefined;
  /** Why a failure is one. */
  detail?: string;
  retryAfter?: string | undefined;
}

export interface CallOptions {
  agent: Agent;
  origin: string;
  key: string;
  model: string;
  stream: boolean;
  /** The message content (carries the fake's behaviour directive). */
  content: string;
  /** The text a complete answer must carry. */
  expectedText: string;
  deadlineMs: number;
}

function isErrorBody(value: unknown): value is { error: { message: string; type: string; code?: string | null } } {
  if (typeof value !== 'object' || value === null) return false;
  const error = (value as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string' &&
    typeof (error as { type?: unknown }).type === 'string'
  );
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Sends one chat completion through Z-AI and classifies the answer. Never throws. */
export async function call(options: CallOptions): Promise<Outcome> {
  const started = performance.now();
  let ttfbMs: number | undefined;
  let status = 0;
  let requestId: string | undefined;
  const fail = (detail: string): Outcome => ({
    kind: 'failure',
    signature: 'failure',
    status,
    code: null,
    requestId,
    ms: performance.now() - started,
    ttfbMs,
    detail,
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.deadlineMs);
  try {
    const res = await request(`${options.origin}/v1/chat/completions`, {
      method: 'POST',
      dispatcher: options.agent,
      signal: controller.signal,
      // Only the soak's own deadline ends a call.
      headersTimeout: options.deadlineMs + 60_000,
      bodyTimeout: options.deadlineMs + 60_000,
      headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: options.model,
        messages: [{ role: 'user', content: options.content }],
        ...(options.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    });
    status = res.statusCode;
    requestId = header(res.headers, 'x-zai-request-id');
    const contentType = header(res.headers, 'content-type') ?? '';
    const retryAfter = header(res.headers, 'retry-after');

    if (status >= 400 && status < 600) {
      const text = await res.body.text();
      ttfbMs ??= performance.now() - started;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return fail(`status ${status} with a body that is not JSON: ${text.slice(0, 200)}`);
      }
      if (!isErrorBody(parsed)) return fail(`status ${status} with a body that is not an OpenAI error: ${text.slice(0, 200)}`);
      return {
        kind: 'errored',
        signature: `http ${status}`,
        status,
        code: parsed.error.code ?? null,
        requestId,
        ms: performance.now() - started,
        ttfbMs,
        retryAfter,
      };
    }
    if (status < 200 || status >= 300) {
      await res.body.dump();
      return fail(`unexpected status ${status}`);
    }
    if (!requestId) {
      await res.body.dump();
      return fail('2xx without x-zai-request-id');
    }

    if (!options.stream) {
      const text = await res.body.text();
      ttfbMs = performance.now() - started;
      let parsed: {
        object?: unknown;
        model?: unknown;
        choices?: Array<{ message?: { content?: unknown } }>;
        usage?: { completion_tokens?: unknown };
      };
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        return fail(`200 with a body that is not JSON: ${text.slice(0, 200)}`);
      }
      if (parsed.object !== 'chat.completion') return fail(`200 with object ${String(parsed.object)}`);
      if (parsed.model !== options.model) return fail(`200 with model ${String(parsed.model)}`);
      const content = parsed.choices?.[0]?.message?.content;
      if (content !== options.expectedText) return fail(`200 with text ${JSON.stringify(content)?.slice(0, 100)}`);
      if (typeof parsed.usage?.completion_tokens !== 'number') return fail('200 without usage');
      return { kind: 'answered', signature: 'ok', status, code: null, requestId, ms: performance.now() - started, ttfbMs };
    }

    if (!contentType.startsWith('text/event-stream')) {
      const text = await res.body.text();
      return fail(`stream answered with content-type ${contentType}: ${text.slice(0, 200)}`);
    }
    // Parse the SSE stream as it arrives: every event is one `data:` line.
    let buffer = '';
    let text = '';
    let done = false;
    let error: { code: string | null } | undefined;
    let usage = false;
    let bad: string | undefined;
    const onEvent = (event: string): void => {
      if (bad !== undefined) return;
      if (done || error) {
        bad = `an event after ${done ? '[DONE]' : 'the error event'}: ${event.slice(0, 100)}`;
        return;
      }
      if (event.startsWith(':')) return; // comment / keep-alive
      if (!event.startsWith('data: ')) {
        bad = `a line that is not data: ${event.slice(0, 100)}`;
        return;
      }
      const data = event.slice(6);
      if (data === '[DONE]') {
        done = true;
        return;
      }
      let chunk: {
        object?: unknown;
        model?: unknown;
        choices?: Array<{ delta?: { content?: unknown } }>;
        usage?: unknown;
        error?: unknown;
      };
      try {
        chunk = JSON.parse(data) as typeof chunk;
      } catch {
        bad = `an event that is not JSON: ${data.slice(0, 100)}`;
        return;
      }
      if (isErrorBody(chunk)) {
        error = { code: chunk.error.code ?? null };
        return;
      }
      if (chunk.object !== 'chat.completion.chunk' || chunk.model !== options.model || !Array.isArray(chunk.choices)) {
        bad = `a malformed chunk: ${data.slice(0, 150)}`;
        return;
      }
      for (const choice of chunk.choices) if (typeof choice.delta?.content === 'string') text += choice.delta.content;
      if (chunk.usage) usage = true;
    };
    for await (const part of res.body) {
      ttfbMs ??= performance.now() - started;
      buffer += (part as Buffer).toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        onEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    const ms = performance.now() - started;
    if (bad !== undefined) return fail(`stream: ${bad}`);
    if (buffer.trim() !== '') return fail(`stream: a partial event at the end: ${buffer.slice(0, 100)}`);
    if (error)
      return { kind: 'errored', signature: `sse-error ${error.code ?? 'null'}`, status, code: error.code, requestId, ms, ttfbMs };
    if (!done) return fail(`stream ended without [DONE] or an error event after ${text.length} characters`);
    if (text !== options.expectedText)
      return fail(`stream text ${JSON.stringify(text).slice(0, 100)} instead of the full answer`);
    if (!usage) return fail('stream without the usage chunk (include_usage was asked)');
    return { kind: 'answered', signature: 'ok', status, code: null, requestId, ms, ttfbMs };
  } catch (err) {
    if (controller.signal.aborted) return fail(`no complete answer within ${options.deadlineMs} ms (hang)`);
    const code = (err as { code?: string } | null)?.code;
    return fail(`connection error to Z-AI: ${code ?? ''} ${err instanceof Error ? err.message : String(err)}`.trim());
  } finally {
    clearTimeout(timer);
  }
}

/** A management-API client that keeps the session cookie like a browser. */
export class Management {
  private cookie = '';

  constructor(private readonly origin: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T; text: string }> {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0] ?? '';
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json: json as T, text };
  }

  async must<T = Record<string, unknown>>(method: string, path: string, body: unknown, expected: number): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.json;
  }
}

export interface UsageRow {
  id: string;
  status: number;
  error_code: string | null;
  stream: boolean;
}

/** Signs up, pastes an OpenAI-compatible provider at `baseUrl`, creates a key; returns the client and the key. */
export async function setupAccount(origin: string, baseUrl: string): Promise<{ api: Management; key: string; keyId: string }> {
  const api = new Management(origin);
  await api.must(
    'POST',
    '/api/auth/signup',
    { email: `soak-${Date.now().toString(36)}@example.com`, password: 'soak test password' },
    201,
  );
  await api.must(
    'POST',
    '/api/providers',
    { provider: 'openai', api_key: 'sk-soak-0123456789abcdefghijklmn', base_url: baseUrl },
    201,
  );
  const key = await api.must<{ key: string; id: string }>('POST', '/api/keys', { name: 'soak' }, 201);
  return { api, key: key.key, keyId: key.id };
}

/** Every usage row of the account (newest first, paged with `next_cursor`) and the reported total. */
export async function allUsage(api: Management): Promise<{ rows: UsageRow[]; totalRequests: number; pages: number }> {
  const rows: UsageRow[] = [];
  let cursor: string | null = null;
  let totalRequests = -1;
  let pages = 0;
  do {
    const page: { data: UsageRow[]; totals: { requests: number }; next_cursor: string | null } = await api.must(
      'GET',
      `/api/usage?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      undefined,
      200,
    );
    if (totalRequests < 0) totalRequests = page.totals.requests;
    for (const row of page.data) rows.push({ id: row.id, status: row.status, error_code: row.error_code, stream: row.stream });
    cursor = page.next_cursor;
    pages += 1;
  } while (cursor !== null);
  return { rows, totalRequests, pages };
}
