/**
 * Builds the one usage row of a `/v1` request (never any content) and hands it to the usage
 * writer (the database) and to the request reporter (its log line and metrics).
 */
import { costBasis } from '../billing/cost-lines.js';
import type { GatewayError } from '../errors.js';
import type { UsageEndpoint } from '../store/schema.js';
import { encodeDetail, MAX_ERROR_MESSAGE } from '../usage/usage-detail.js';
import type { RequestReporter } from '../usage/request-reporter.js';
import type { UsageRecorder, UsageRow } from '../usage/usage-recorder.js';
import type { AttemptResult } from './attempt-result.js';
import type { RequestContext } from './request-context.js';
import { requestPeriodStart } from './cap-subject.js';

/** The row's outcome: the successful attempt's result, or the error the client saw. */
export function recordUsage(
  deps: { usage: UsageRecorder; reporter: RequestReporter },
  ctx: RequestContext,
  endpoint: UsageEndpoint,
  modelRequested: string,
  stream: boolean,
  attempts: number,
  result: AttemptResult | undefined,
  error: GatewayError | undefined,
  /** For failures: the provider of the last attempt, if one was made. */
  lastProvider: string | null = null,
): void {
  const latencyMs = Math.round(performance.now() - ctx.startedAt);
  const tokens = result?.usage;
  // An answer was served but its model has no price: its cost is unknown, not zero. (A failure
  // served nothing and cost nothing.)
  const unpriced = result !== undefined && result.price === undefined;
  const billed = result?.billed;
  const price = result?.price;
  // Error messages are the ones the client saw: upstream ones are scrubbed of the provider key
  // when they are made (upstream-error.ts).
  const errorMessage = error?.message ?? result?.errorMessage ?? null;
  const row: UsageRow = {
    id: ctx.requestId,
    created_at: Date.now(),
    user_id: ctx.auth.userId,
    key_id: ctx.auth.id,
    model_requested: modelRequested,
    model_served: result?.model ?? null,
    provider: result?.providerName ?? lastProvider,
    status: error ? error.status : (result?.status ?? 200),
    error_code: error ? error.code : (result?.errorCode ?? null),
    prompt_tokens: tokens?.promptTokens ?? 0,
    completion_tokens: tokens?.completionTokens ?? 0,
    cached_tokens: tokens?.cachedTokens ?? 0,
    cache_write_tokens: (tokens?.cacheWrite5mTokens ?? 0) + (tokens?.cacheWrite1hTokens ?? 0),
    reasoning_tokens: tokens?.reasoningTokens ?? 0,
    cost_nano_usd: result?.costNanoUsd ?? 0,
    latency_ms: latencyMs,
    ttft_ms: result?.ttftMs ?? null,
    stream: stream ? 1 : 0,
    attempts,
    endpoint,
    pool_key_id: result?.poolKeyId ?? null,
    unpriced: unpriced ? 1 : 0,
    error_message: errorMessage === null ? null : errorMessage.slice(0, MAX_ERROR_MESSAGE),
    detail: encodeDetail(
      ctx.attempts.entries,
      billed !== undefined && price !== undefined ? costBasis(billed, price) : undefined,
    ),
  };
  deps.usage.record(row, result?.reservationId, requestPeriodStart(ctx));
  deps.reporter.add(row);
}
