/**
 * The reservation of a capped key's chat request, shortening the answer rather than refusing it
 * where it can: when the remaining budget cannot cover the worst case and the client set no output
 * limit, the request is sent with `max_tokens` set to the largest count the budget covers (and says
 * so); only when not even one output token is affordable does it answer 402. A client that set
 * `max_tokens` itself gets a 402 naming the largest one that fits.
 */
import { largestAffordableOutputTokens, maxOutputTokensUpperBound, worstCaseCostNanoUsd } from '../billing/estimate.js';
import type { ModelPrice } from '../billing/price-catalog.js';
import type { Reservation, SpendLedger } from '../billing/spend-ledger.js';
import { GatewayError } from '../errors.js';
import type { ChatCompletionRequest } from '../openai/types.js';
import { capSubject } from './cap-subject.js';
import type { RequestContext } from './request-context.js';

/** Output tokens assumed (and sent as `max_tokens`) for a capped key on a model whose maximum is unknown. */
export const DEFAULT_CAPPED_MAX_TOKENS = 4096;

/** Named in `x-zai-warnings` when the budget shortened the answer's `max_tokens`. */
export const SHORTENED_WARNING = 'max_tokens_shortened_to_remaining_budget';

export interface CapReservation {
  reservation: Reservation;
  /** The request to send: the client's, or a copy with `max_tokens` set. */
  request: ChatCompletionRequest;
  /** The `max_tokens` Z-AI set (for `x-zai-max-tokens`), if it set one. */
  setMaxTokens: number | undefined;
  /** The budget shortened the answer (for `x-zai-warnings`). */
  shortened: boolean;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

export async function reserveChat(
  ledger: SpendLedger,
  ctx: RequestContext,
  clientRequest: ChatCompletionRequest,
  price: ModelPrice,
  promptBound: number,
  modelMaxOutputTokens: number | null,
): Promise<CapReservation> {
  const subject = capSubject(ctx);
  const asked = positiveInteger(clientRequest.max_completion_tokens) ?? positiveInteger(clientRequest.max_tokens);
  let request = clientRequest;
  let setMaxTokens: number | undefined;
  let maxOut = maxOutputTokensUpperBound(clientRequest, modelMaxOutputTokens);
  if (maxOut === undefined) {
    // Unknown maximum: bound the answer ourselves and say so, so the cap still holds.
    maxOut = DEFAULT_CAPPED_MAX_TOKENS;
    request = { ...clientRequest, max_tokens: maxOut };
    setMaxTokens = maxOut;
  }
  const worstCase = (outputTokens: number): number =>
    worstCaseCostNanoUsd({ promptTokensUpperBound: promptBound, maxOutputTokens: outputTokens, price });
  try {
    return { reservation: await ledger.reserve(subject, worstCase(maxOut)), request, setMaxTokens, shortened: false };
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== 'spend_cap_reached') throw err;
    const choices = positiveInteger(clientRequest.n) ?? 1;
    const affordable = largestAffordableOutputTokens({
      promptTokensUpperBound: promptBound,
      maxOutputTokens: maxOut,
      price,
      availableNanoUsd: await ledger.available(subject),
    });
    const perChoice = Math.floor(affordable / choices);
    if (perChoice < 1) throw err;
    if (asked !== undefined) {
      throw new GatewayError({
        status: 402,
        type: 'insufficient_quota',
        code: 'spend_cap_reached',
        param: clientRequest.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens',
        message: `${err.message} The largest max_tokens its remaining budget covers for this request is ${perChoice}.`,
      });
    }
    request = { ...clientRequest, max_tokens: perChoice };
    return {
      reservation: await ledger.reserve(subject, worstCase(perChoice * choices)),
      request,
      setMaxTokens: perChoice,
      shortened: true,
    };
  }
}
