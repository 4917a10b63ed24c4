/**
 * Builds the one usage row of a `/v1` request (never any content) and queues it; the request's log
 * line and metrics are written from the row when its batch is (see `reportRequest`).
 */
import type { GatewayError } from '../errors.js';
import type { Logger } from 'pino';
import { writeFixedLine } from '../logger.js';
import type { UsageEndpoint } from '../store/schema.js';
import type { Metrics } from '../usage/metrics.js';
import type { UsageRecorder, UsageRow } from '../usage/usage-recorder.js';
import type { AttemptResult } from './chat-attempt.js';
import type { RequestContext } from './request-context.js';

/** The row's outcome: the successful attempt's result, or the error the client saw. */
export function recordUsage(
  deps: { usage: UsageRecorder },
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
    endpoint,
    pool_key_id: result?.poolKeyId ?? null,
  };
  deps.usage.record(row, result?.spendAccounted ?? false);
}

/**
 * The UsageRecorder's observer: the request's log line and metrics, written from its row. Runs in
 * batches, off the request path; a failure is logged and never stops the batch.
 */
export function reportRequest(logger: Logger, metrics: Metrics, row: UsageRow): void {
  try {
    writeRequestLine(logger, row);
    metrics.request({
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
  } catch (err) {
    logger.error({ err, requestId: row.id }, 'usage reporting failed');
  }
}

function writeRequestLine(logger: Logger, row: UsageRow): void {
  // The one log line of a /v1 request: who, which model, outcome, tokens, cost. Never content.
  // Fixed shape, no secrets: written without pino's generic serialisation (see writeFixedLine).
  writeFixedLine(
    logger,
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
      stream: row.stream === 1,
      attempts: row.attempts,
      endpoint: row.endpoint,
    },
    'gateway request',
  );
}
