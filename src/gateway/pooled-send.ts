/**
 * Sends one attempt's upstream call with a key of the provider's pool. With one enabled key it is
 * today's single call. With several, a key is chosen by weight among the available ones; a 429/529
 * cools the key down for its retry-after and a 401/403 marks it failing, and the call is made at
 * once with another key. All of this happens before anything reaches the client. When no key is
 * left, the error is retryable, so the key's fallback chain takes over.
 */
import { GatewayError } from '../errors.js';
import { DEFAULT_COOLDOWN_MS, fnv1a, type PoolKey } from '../keys/key-pool.js';
import type { UpstreamCall } from '../providers/provider.js';
import type { AttemptDeps } from './chat-attempt.js';
import type { ModelRoute } from './model-route.js';
import type { RequestContext } from './request-context.js';
import { upstreamError } from './upstream-error.js';
import type { UpstreamResponse } from './upstream-client.js';

export interface PooledResponse<T> {
  /** What `build` made for the key that answered. */
  built: T;
  /** A 2xx answer. */
  upstream: UpstreamResponse;
  /** The plaintext key of the call, for scrubbing errors found later in the body. */
  apiKey: string;
  key: PoolKey;
}

/** A retry-after header in milliseconds: seconds or an HTTP date; the default when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return DEFAULT_COOLDOWN_MS;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? DEFAULT_COOLDOWN_MS : Math.max(0, date - now);
}

function rateLimited(status: number, mapped: number): boolean {
  return status === 429 || status === 529 || mapped === 429;
}

function refused(mapped: number): boolean {
  return mapped === 401 || mapped === 403;
}

/**
 * Sends the call. undici copies a text body into bytes of its own when the call is dispatched, so
 * from then on neither the call (kept by the attempt for the length of the answer) nor the context
 * holds a text: a retry with another key, or a fallback, serialises the parsed request instead. An
 * agent's context is 100 KB, a non-streamed answer's head can take a minute, and at 50 concurrent
 * requests the held texts were promoted out of the young generation: see docs/performance.md,
 * "Nothing holds the context after the send".
 */
function dispatch(
  deps: AttemptDeps,
  ctx: RequestContext,
  route: ModelRoute['route'],
  call: UpstreamCall,
): Promise<UpstreamResponse> {
  const answer = deps.upstream.send(call, ctx.signal, route.ownerRole);
  call.body = undefined;
  ctx.bodyText = undefined;
  return answer;
}

/**
 * `build` makes the call (and whatever else goes with it, e.g. a translation) for one plaintext
 * key; it is called once per key tried.
 * `affinity` (only read when the entry asks for affinity) names the conversation.
 */
export async function sendPooled<T extends { call: UpstreamCall }>(
  deps: AttemptDeps,
  ctx: RequestContext,
  candidate: ModelRoute,
  build: (apiKey: string) => T,
  affinity?: () => string,
): Promise<PooledResponse<T>> {
  const { route, info } = candidate;
  const adapter = info.adapter;
  const pool = deps.providers.pool;
  const only = route.keys.length === 1 ? route.keys[0] : undefined;
  if (only !== undefined) {
    // One key: exactly today's call, with no health to consult.
    const apiKey = deps.providers.decryptKey(only);
    const built = build(apiKey);
    ctx.attempts.key(only.id);
    const upstream = await dispatch(deps, ctx, route, built.call);
    const accepted = upstream.status >= 200 && upstream.status < 300;
    if (accepted) {
      pool.recordUse(route.name, only.id);
      return { built, upstream, apiKey, key: only };
    }
    const error = await upstreamError(adapter, upstream, apiKey);
    pool.recordUse(route.name, only.id, { status: error.status, code: error.code });
    // The request's details show what the provider answered (a 500 the client sees as 502).
    ctx.attempts.end(upstream.status, error.code);
    throw error;
  }

  const hash = route.affinity && affinity !== undefined ? fnv1a(`${ctx.auth.id}\n${affinity()}`) : undefined;
  let tried: Set<string> | undefined;
  let last: GatewayError | undefined;
  for (;;) {
    const key = pool.choose(route, tried, hash);
    if (key === undefined) throw poolExhausted(deps, candidate, last);
    const apiKey = deps.providers.decryptKey(key);
    const built = build(apiKey);
    ctx.attempts.key(key.id);
    const upstream = await dispatch(deps, ctx, route, built.call);
    const accepted = upstream.status >= 200 && upstream.status < 300;
    if (accepted) {
      pool.recordUse(route.name, key.id);
      return { built, upstream, apiKey, key };
    }
    const error = await upstreamError(adapter, upstream, apiKey);
    pool.recordUse(route.name, key.id, { status: error.status, code: error.code });
    // This key's call is a try of its own in the request's details; another key opens the next.
    ctx.attempts.end(upstream.status, error.code);
    if (rateLimited(upstream.status, error.status)) {
      pool.coolDown(key.id, retryAfterMs(upstream.headers['retry-after']));
      deps.metrics.poolRetry('rate_limited');
    } else if (refused(error.status)) {
      pool.markFailing(key.id, error.status, `${error.status} ${error.code ?? error.type}`);
      deps.metrics.poolRetry('refused');
    } else {
      throw error;
    }
    last = error;
    if (ctx.signal.aborted) throw error;
    (tried ??= new Set()).add(key.id);
  }
}

/**
 * No key of the pool can serve: a 429 with the shortest wait when any is cooling down, else the
 * refusal. Retryable either way, so a fallback model is tried next.
 */
function poolExhausted(deps: AttemptDeps, candidate: ModelRoute, last: GatewayError | undefined): GatewayError {
  const { route } = candidate;
  const waitMs = deps.providers.pool.soonestRecoveryMs(route);
  if (waitMs !== undefined) {
    const seconds = String(Math.max(1, Math.ceil(waitMs / 1000)));
    return new GatewayError({
      status: 429,
      type: last?.status === 429 ? last.type : 'rate_limit_error',
      code: last?.status === 429 && last.code !== null ? last.code : 'rate_limit_exceeded',
      message:
        last?.status === 429
          ? last.message
          : `Every key of the provider ${route.name} is cooling down after rate limits; retry after ${seconds} s.`,
      retryable: true,
      failure: 'status',
      headers: { ...(last?.headers ?? {}), 'retry-after': seconds },
    });
  }
  if (last !== undefined) {
    return new GatewayError({
      status: last.status,
      type: last.type,
      code: last.code,
      param: last.param,
      message: last.message,
      retryable: true,
      failure: last.failure,
      headers: last.headers,
    });
  }
  const failure = deps.providers.pool.failure(route);
  const status = failure?.status ?? 503;
  return new GatewayError({
    status,
    code: 'provider_keys_failing',
    message: `Every key of the provider ${route.name} was refused by the provider (${failure?.error ?? 'unavailable'}); replace them or run Test under Providers.`,
    retryable: true,
    failure: 'status',
  });
}
