/** Builds the one usage row of a `/v1` request (never any content) and queues it. */
import type { GatewayError } from '../errors.js';
import type { Logger } from 'pino';
import { writeFixedLine } from '../logger.js';
import type { Metrics } from '../usage/metrics.js';
import type { UsageRecorder, UsageRow } from '../usage/usage-recorder.js';
import type { AttemptResult } from './chat-attempt.js';
import type { RequestContext } from './request-context.js';

/** The row's outcome: the successful attempt's result, or the error the client saw. */
export function recordUsage(
  deps: { usage: UsageRecorder; metrics: Metrics; logger: Logger },
  ctx: RequestContext,
  modelRequested: string,
  stream: boolean,
  attempts: number,
  result: AttemptResult | undefined,
  error: GatewayError | undefined,
  /** For failures: the provider of the last attempt, if one was made. */
  lastProvider: string | null = null,
): void {
  // The latency is taken now, before anything else; the row, the log line and the metrics are
  // queued for after the answer went out (setImmediate), off the request's critical path.
  const latencyMs = Math.round(performance.now() - ctx.startedAt);
  const tokens = result?.usage;
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
    cost_nano_usd: result?.costNanoUsd ?? 0,
    latency_ms: latencyMs,
    ttft_ms: result?.ttftMs ?? null,
    stream: stream ? 1 : 0,
    attempts,
  };
  const spendAccounted = result?.spendAccounted ?? false;
  // The UsageRecorder's flush() yields one setImmediate turn first, so a row queued here before a
  // flush is always part of it (setImmediate callbacks run in order).
  setImmediate(() => {
    try {
      finishUsage(deps, row, spendAccounted, stream, attempts);
    } catch (err) {
      deps.logger.error({ err, requestId: row.id }, 'usage recording failed');
    }
  });
}

function finishUsage(deps: { usage: UsageRecorder; metrics: Metrics; logger: Logger }, row: UsageRow, spendAccounted: boolean, stream: boolean, attempts: number): void {
  deps.usage.record(row, spendAccounted);
  // The one log line of a /v1 request: who, which model, outcome, tokens, cost. Never content.
  // Fixed shape, no secrets: written without pino's generic serialisation (see writeFixedLine).
  writeFixedLine(
    deps.logger,
    {
      requestId: row.id,
      accountId: row.user_id,
      keyId: row.key_id,
      modelRequested: row.model_requested,
      modelServed: row.model_served,
      status: row.status,
      errorCode: row.error_code,
      latencyMs: row.latency_ms,
      ttftMs: row.ttft_ms,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      cachedTokens: row.cached_tokens,
      costMicroUsd: Math.round(row.cost_nano_usd / 1000),
      stream: stream,
      attempts,
    },
    'gateway request',
  );
  deps.metrics.request({
    provider: row.provider,
    model: row.model_served,
    status: row.status,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    cachedTokens: row.cached_tokens,
    costNanoUsd: row.cost_nano_usd,
  });
}
