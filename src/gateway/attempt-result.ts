/**
 * The result of one attempt at a model, and what its answer costs: shared by translated attempts
 * (chat-attempt.ts) and native passthrough (native-attempt.ts). Results are spelled out: see
 * docs/performance.md, "No properties after a spread".
 */
import { costNanoUsd } from '../billing/cost.js';
import { estimateCutStreamCost } from '../billing/estimate.js';
import type { ModelPrice } from '../billing/price-catalog.js';
import type { TokenUsage } from '../openai/types.js';
import type { ModelRoute } from './model-route.js';
import type { StreamOutcome } from './relay-stream.js';
import type { JsonAnswer } from './request-context.js';

export interface AttemptResult {
  answer: JsonAnswer | undefined;
  model: string;
  providerName: string;
  status: number;
  errorCode: string | null;
  usage: TokenUsage | undefined;
  costNanoUsd: number;
  ttftMs: number | null;
  /** The database spend reservation this request's usage row settles (PostgreSQL ledger), if any. */
  reservationId: string | undefined;
  /** The pool key that served. */
  poolKeyId: string | null;
}

/** Who served an attempt and what it settles: the parts of a result that do not depend on the answer. */
export interface AttemptServed {
  candidate: ModelRoute;
  reservationId: string | undefined;
  poolKeyId: string | null;
}

/** A complete (non-streamed) answer: billed on its usage, or, without one, on its prompt bound and its size. */
export function answerCostNanoUsd(
  price: ModelPrice | undefined,
  usage: TokenUsage | undefined,
  promptBound: () => number,
  completionBytes: () => number,
): number {
  if (price === undefined) return 0;
  if (usage) return costNanoUsd(usage, price);
  return estimateCutStreamCost({ promptTokensUpperBound: promptBound(), completionBytes: completionBytes(), price });
}

/**
 * What a streamed answer costs. A complete stream is billed on the provider's final usage. An
 * unfinished one may carry only provisional counts (Anthropic's message_start says 1 output token):
 * never bill less than what the text that reached the client must have cost.
 */
export function streamCostNanoUsd(price: ModelPrice | undefined, outcome: StreamOutcome, promptBound: () => number): number {
  if (price === undefined) return 0;
  const reported = outcome.usage ? costNanoUsd(outcome.usage, price) : 0;
  if (outcome.status === 200 && outcome.usage) return reported;
  return Math.max(
    reported,
    estimateCutStreamCost({ promptTokensUpperBound: promptBound(), completionBytes: outcome.completionBytes, price }),
  );
}

export function answeredResult(
  served: AttemptServed,
  answer: JsonAnswer,
  usage: TokenUsage | undefined,
  cost: number,
): AttemptResult {
  return {
    answer,
    model: served.candidate.model,
    providerName: served.candidate.route.name,
    status: 200,
    errorCode: null,
    usage,
    costNanoUsd: cost,
    ttftMs: null,
    reservationId: served.reservationId,
    poolKeyId: served.poolKeyId,
  };
}

export function streamedResult(served: AttemptServed, outcome: StreamOutcome, cost: number): AttemptResult {
  return {
    answer: undefined,
    model: served.candidate.model,
    providerName: served.candidate.route.name,
    status: outcome.status,
    errorCode: outcome.errorCode,
    usage: outcome.usage,
    costNanoUsd: cost,
    ttftMs: outcome.ttftMs,
    reservationId: served.reservationId,
    poolKeyId: served.poolKeyId,
  };
}
