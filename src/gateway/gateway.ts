/**
 * The gateway: `/v1/chat/completions` (and, through `serveWithFallbacks`, every ingress) for an
 * authenticated Z-AI key. Resolves the model against the account's providers, enforces the allow-list and the
 * spend cap, calls the provider (falling back along the key's chain on outages), and records one
 * usage row per request. The hot path reads only in-memory caches.
 */
import type { TokenTake } from '../coordination/rate-limiter.js';
import { estimatePromptTokensUpperBound } from '../billing/estimate.js';
import { DEFAULT_CAPPED_MAX_TOKENS } from './cap-reservation.js';
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import { coordinationUnavailable } from '../store/coordination-error.js';
import type { Prices } from '../billing/prices.js';
import type { SpendLedger } from '../billing/spend-ledger.js';
import type { ApiKeys } from '../keys/api-keys.js';
import type { RateLimiter } from '../coordination/rate-limiter.js';
import { isModelAllowed } from '../keys/model-patterns.js';
import type { ProviderCredentials } from '../keys/provider-credentials.js';
import type { ChatCompletionRequest } from '../openai/types.js';
import type { UsageEndpoint } from '../store/schema.js';
import type { RequestReporter } from '../usage/request-reporter.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import type { AttemptResult } from './attempt-result.js';
import { runChatAttempt, type AttemptDeps } from './chat-attempt.js';
import { recordUsage } from './record-usage.js';
import { checkModelForm, resolveModel, type ModelRoute } from './model-route.js';
import type { JsonAnswer, RequestContext } from './request-context.js';
import { validateChatRequest } from './validate-request.js';

export interface GatewayDeps extends AttemptDeps {
  keys: ApiKeys;
  providers: ProviderCredentials;
  prices: Prices;
  ledger: SpendLedger;
  usage: UsageRecorder;
  reporter: RequestReporter;
  logger: Logger;
  retrySameModel: boolean;
  rateLimiter: RateLimiter;
  /** False while the coordination service (Redis) is unreachable: then fail closed with 503. */
  coordinationReady: () => boolean;
}

export function modelNotAllowed(model: string): GatewayError {
  return new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'model_not_allowed',
    param: 'model',
    message: `This key may not call ${model.slice(0, 200)}. Its allowed models are set under Keys.`,
  });
}

export function modelNotPriced(model: string): GatewayError {
  return new GatewayError({
    status: 400,
    code: 'model_not_priced',
    param: 'model',
    message: `${model.slice(0, 200)} has no price, and this key has a spend cap. Set a price under Prices (PUT /api/prices) to use it with a capped key.`,
  });
}

/** Builds the list of models to try: the requested one (strictly checked) and the key's fallbacks. */
export async function planCandidates(
  deps: GatewayDeps,
  ctx: RequestContext,
  model: string,
  options: { fallbacks: boolean } = { fallbacks: true },
): Promise<ModelRoute[]> {
  const { auth } = ctx;
  if (!deps.coordinationReady()) throw coordinationUnavailable();
  if (auth.rateLimitRpm !== null) await deps.rateLimiter.hit(auth.id, auth.rateLimitRpm);
  // Both loads start before either is awaited; once cached, two awaits of settled promises cost
  // less than Promise.all's combinator.
  const routesLoad = deps.providers.routes(auth.userId);
  const customLoad = deps.prices.custom(auth.userId);
  const routes = await routesLoad;
  const custom = await customLoad;
  checkModelForm(model);
  if (!isModelAllowed(auth.allowedModels, model)) throw modelNotAllowed(model);
  const primary = resolveModel(model, routes, custom);
  if (auth.capNanoUsd !== null && primary.price === undefined) throw modelNotPriced(model);
  const candidates = [primary];
  for (const fallback of options.fallbacks ? auth.fallbackModels : []) {
    if (fallback === model) continue;
    // The key's owner chose the fallbacks, so the allow-list does not apply to them; one that
    // cannot be served (provider removed, unpriced under a cap) is skipped, not fatal.
    try {
      const route = resolveModel(fallback, routes, custom);
      if (auth.capNanoUsd !== null && route.price === undefined) throw modelNotPriced(fallback);
      candidates.push(route);
    } catch (err) {
      deps.logger.warn(
        { requestId: ctx.requestId, fallback, reason: err instanceof GatewayError ? err.code : 'error' },
        'fallback model skipped',
      );
    }
  }
  return candidates;
}

/**
 * POST /v1/chat/completions. Returns the JSON answer, or undefined when the answer was streamed.
 * `endpoint` names the API the client called, for its usage row.
 */
export async function chatCompletions(
  deps: GatewayDeps,
  ctx: RequestContext,
  body: unknown,
  endpoint: UsageEndpoint = 'chat.completions',
): Promise<JsonAnswer | undefined> {
  const request: ChatCompletionRequest = validateChatRequest(body);
  const tokens = {
    input: () => estimatePromptTokensUpperBound(request),
    maxOutput: positiveInteger(request.max_completion_tokens) ?? positiveInteger(request.max_tokens),
  };
  return serveWithFallbacks(deps, ctx, { model: request.model, stream: request.stream === true, endpoint, tokens }, (candidate) =>
    runChatAttempt(deps, ctx, candidate, request),
  );
}

/** What the candidate loop needs to know of a request, whichever API it came through. */
export interface ServedRequest {
  /** The public model string the client asked for (recorded as model_requested). */
  model: string;
  stream: boolean;
  /** The API the client called, for the usage row. */
  endpoint: UsageEndpoint;
  /** What a key's tokens-per-minute limit counts when the request starts (corrected to usage after). */
  tokens: {
    /** An estimate of the input tokens (only computed for a key with a TPM limit). */
    input: () => number;
    /** The output limit the client set, if any (else the model's maximum, else a default). */
    maxOutput: number | undefined;
  };
}

/**
 * Serves one request with the requested model, then the key's fallbacks while nothing reached the
 * client, and records its one usage row. `attempt` makes one try against one candidate: a chat
 * attempt for a translated request, a native one for a passthrough (an ingress may choose per
 * candidate). Returns the JSON answer, or undefined when the answer was streamed.
 */
export async function serveWithFallbacks(
  deps: GatewayDeps,
  ctx: RequestContext,
  served: ServedRequest,
  attempt: (candidate: ModelRoute) => Promise<AttemptResult>,
): Promise<JsonAnswer | undefined> {
  const { model, stream, endpoint } = served;
  let attempts = 0;
  let lastError: GatewayError | undefined;
  let lastProvider: string | null = null;
  let take: TokenTake | undefined;
  try {
    const candidates = await planCandidates(deps, ctx, model);
    if (ctx.auth.rateLimitTpm !== null) {
      const maxOutput = served.tokens.maxOutput ?? candidates[0]?.catalog?.maxOutputTokens ?? DEFAULT_CAPPED_MAX_TOKENS;
      take = await deps.rateLimiter.takeTokens(ctx.auth.id, served.tokens.input() + maxOutput, ctx.auth.rateLimitTpm);
    }
    for (const candidate of candidates) {
      const tries = deps.retrySameModel ? 2 : 1;
      for (let t = 0; t < tries; t++) {
        if (ctx.signal.aborted) break;
        attempts += 1;
        lastProvider = candidate.route.name;
        // A fallback is a move to another model; same-model retries are not counted.
        if (t === 0 && candidate !== candidates[0]) deps.metrics.fallback();
        const attemptStart = performance.now();
        ctx.attempts.begin(candidate.model, candidate.route.name, attemptStart);
        try {
          const result = await attempt(candidate);
          ctx.attempts.end(result.status, result.errorCode);
          logAttempt(deps, ctx, candidate.model, attempts, result.status, attemptStart, result.errorCode);
          recordUsage(deps, ctx, endpoint, model, stream, attempts, result, undefined);
          // To the real usage; without a report the estimate stands.
          if (take !== undefined && result.usage !== undefined) {
            await deps.rateLimiter.adjustTokens(take, result.usage.promptTokens + result.usage.completionTokens - take.taken);
          }
          return result.answer;
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          lastError = err;
          ctx.attempts.end(err.status, err.code);
          logAttempt(deps, ctx, candidate.model, attempts, err.status, attemptStart, err.failure ?? err.code);
          if (err.failure !== undefined) deps.metrics.upstreamError(candidate.route.name, err.failure);
          if (!err.retryable || ctx.signal.aborted) throw err;
          // Same-model retry only when the provider asks for a short wait (or none).
          const retryAfter = Number(err.headers['retry-after'] ?? '0');
          if (t + 1 < tries && !(retryAfter <= 2)) break;
          if (t + 1 < tries) await new Promise((r) => setTimeout(r, retryAfter * 1000));
        }
      }
    }
    throw lastError ?? new GatewayError({ status: 502, code: 'upstream_error', message: 'No model could serve this request.' });
  } catch (err) {
    const error =
      err instanceof GatewayError ? err : new GatewayError({ status: 500, code: 'internal_error', message: 'Internal error.' });
    // A try still open failed with something other than a GatewayError.
    ctx.attempts.end(error.status, error.code);
    recordUsage(deps, ctx, endpoint, model, stream, attempts, undefined, error, lastProvider);
    // No answer: the tokens were not used.
    if (take !== undefined) await deps.rateLimiter.adjustTokens(take, -take.taken);
    throw err;
  }
}

function logAttempt(
  deps: GatewayDeps,
  ctx: RequestContext,
  model: string,
  attempt: number,
  status: number,
  start: number,
  errorClass: string | null,
): void {
  // Attempts that succeeded on the first try are covered by the request line; log the interesting ones.
  if (attempt === 1 && status < 400) return;
  deps.logger.info(
    {
      requestId: ctx.requestId,
      keyId: ctx.auth.id,
      attempt,
      model,
      status,
      latencyMs: Math.round(performance.now() - start),
      errorClass,
    },
    'upstream attempt',
  );
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
