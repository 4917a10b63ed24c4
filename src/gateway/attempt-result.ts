/**
 * The result of one attempt at a model, and what its answer costs: shared by translated attempts
 * (chat-attempt.ts) and native passthrough (native-attempt.ts). Results are spelled out: see
 * docs/performance.md, "No properties after a spread".
 */
import { costNanoUsd } from '../billing/cost.js';
import { cutStreamUsage } from '../billing/estimate.js';
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
  /** What the client was told of an error after the first byte of a stream; null otherwise. */
  errorMessage: string | null;
  usage: TokenUsage | undefined;
  costNanoUsd: number;
  /** The model's price; undefined: the model has none, so the answer's cost is unknown. */
  price: ModelPrice | undefined;
  /** The token counts the cost was computed on: the usage, or an estimate without one; undefined without a price. */
  billed: TokenUsage | undefined;
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

/**
 * What a complete (non-streamed) answer is billed on: its usage, or, without one, its prompt bound
 * and its size. Undefined without a price.
 */
export function answerBilled(
  price: ModelPrice | undefined,
  usage: TokenUsage | undefined,
  promptBound: () => number,
  completionBytes: () => number,
): TokenUsage | undefined {
  if (price === undefined) return undefined;
  return usage ?? cutStreamUsage(promptBound(), completionBytes());
}

/**
 * What a streamed answer is billed on. A complete stream: the provider's final usage. An
 * unfinished one may carry only provisional counts (Anthropic's message_start says 1 output token):
 * never bill less than what the text that reached the client must have cost.
 */
export function streamBilled(
  price: ModelPrice | undefined,
  outcome: StreamOutcome,
  promptBound: () => number,
): TokenUsage | undefined {
  if (price === undefined) return undefined;
  if (outcome.status === 200 && outcome.usage) return outcome.usage;
  const estimate = cutStreamUsage(promptBound(), outcome.completionBytes);
  if (outcome.usage === undefined) return estimate;
  return costNanoUsd(outcome.usage, price) >= costNanoUsd(estimate, price) ? outcome.usage : estimate;
}

/** The cost of what `answerBilled` or `streamBilled` chose. */
export function billedNanoUsd(price: ModelPrice | undefined, billed: TokenUsage | undefined): number {
  return price === undefined || billed === undefined ? 0 : costNanoUsd(billed, price);
}

export function answeredResult(
  served: AttemptServed,
  answer: JsonAnswer,
  usage: TokenUsage | undefined,
  billed: TokenUsage | undefined,
  cost: number,
): AttemptResult {
  return {
    answer,
    model: served.candidate.model,
    providerName: served.candidate.route.name,
    status: 200,
    errorCode: null,
    errorMessage: null,
    usage,
    costNanoUsd: cost,
    price: served.candidate.price,
    billed,
    ttftMs: null,
    reservationId: served.reservationId,
    poolKeyId: served.poolKeyId,
  };
}

export function streamedResult(
  served: AttemptServed,
  outcome: StreamOutcome,
  billed: TokenUsage | undefined,
  cost: number,
): AttemptResult {
  return {
    answer: undefined,
    model: served.candidate.model,
    providerName: served.candidate.route.name,
    status: outcome.status,
    errorCode: outcome.errorCode,
    errorMessage: outcome.errorMessage,
    usage: outcome.usage,
    costNanoUsd: cost,
    price: served.candidate.price,
    billed,
    ttftMs: outcome.ttftMs,
    reservationId: served.reservationId,
    poolKeyId: served.poolKeyId,
  };
}
