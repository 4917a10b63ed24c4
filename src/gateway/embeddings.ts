/**
 * POST /v1/embeddings. Same key checks, cap and pricing as chat; no fallback, because another
 * model's vectors live in another space and would silently corrupt the caller's index.
 */
import { capSubject } from './cap-subject.js';
import { GatewayError } from '../errors.js';
import { costNanoUsd, nanoToMicro } from '../billing/cost.js';
import { estimateEmbeddingTokensUpperBound, worstCaseCostNanoUsd } from '../billing/estimate.js';
import type { Reservation } from '../billing/spend-ledger.js';
import type { TokenUsage } from '../openai/types.js';
import type { AttemptResult } from './attempt-result.js';
import { planCandidates, type GatewayDeps } from './gateway.js';
import { recordUsage } from './record-usage.js';
import { jsonPieces } from './json-pieces.js';
import type { JsonAnswer, PiecewiseAnswer, RequestContext } from './request-context.js';
import { readJsonAnswer } from './streamed-json.js';
import { sendPooled } from './pooled-send.js';
import { validateEmbeddingsRequest } from './validate-request.js';

/** Answers of at least this many bytes upstream are written in pieces. */
const PIECEWISE_FROM = 1024 * 1024;

export async function embeddings(deps: GatewayDeps, ctx: RequestContext, body: unknown): Promise<JsonAnswer | PiecewiseAnswer> {
  const request = validateEmbeddingsRequest(body);
  let reservation: Reservation | undefined;
  try {
    const [candidate] = await planCandidates(deps, ctx, request.model, { fallbacks: false });
    if (candidate === undefined) throw new GatewayError({ status: 500, message: 'No model resolved.' });
    const embed = candidate.info.adapter.embeddings;
    if (embed === undefined) {
      throw new GatewayError({
        status: 400,
        code: 'invalid_request',
        param: 'model',
        message: `${candidate.info.label} has no embeddings endpoint.`,
      });
    }
    const { auth } = ctx;
    const price = candidate.price;
    ctx.attempts.begin(candidate.model, candidate.route.name);
    if (auth.capNanoUsd !== null && price !== undefined) {
      const bound = estimateEmbeddingTokensUpperBound(request.input);
      reservation = await deps.ledger.reserve(
        capSubject(ctx),
        worstCaseCostNanoUsd({ promptTokensUpperBound: bound, maxOutputTokens: 0, price }),
      );
    }
    const {
      built: translation,
      upstream,
      key,
    } = await sendPooled(deps, ctx, candidate, (apiKey) =>
      embed(
        { request, upstreamModel: candidate.upstreamModel, publicModel: candidate.model },
        { baseUrl: candidate.route.baseUrl, apiKey },
      ),
    );
    // Thousands of vectors are legitimately large: their own bound. The answer is parsed as it
    // arrives and a large one written in pieces, so it is never held as bytes, text and value at once.
    const { json, bytes } = await readJsonAnswer(
      upstream,
      deps.upstream.limits.maxEmbeddingsBodyBytes,
      'ZAI_MAX_EMBEDDINGS_BODY_BYTES',
    );
    const piecewise = bytes >= PIECEWISE_FROM;
    const response = translation.parseResponse(json);
    // A provider that reports no tokens (Gemini's embedContent) is billed on the upper bound, never as free.
    const reported = response.usage?.prompt_tokens ?? 0;
    const usage: TokenUsage = {
      promptTokens: reported > 0 ? reported : estimateEmbeddingTokensUpperBound(request.input),
      completionTokens: 0,
      cachedTokens: 0,
    };
    const cost = price === undefined ? 0 : costNanoUsd(usage, price);
    await reservation?.settle(cost);
    const headers = { 'x-zai-model': candidate.model, 'x-zai-cost-micro-usd': String(nanoToMicro(cost)) };
    const answer: JsonAnswer | PiecewiseAnswer = piecewise
      ? { status: 200, headers, pieces: jsonPieces(response as unknown as Record<string, unknown>, 'data') }
      : { status: 200, headers, body: JSON.stringify(response) };
    const result: AttemptResult = {
      answer: undefined,
      model: candidate.model,
      providerName: candidate.route.name,
      status: 200,
      errorCode: null,
      errorMessage: null,
      usage,
      costNanoUsd: cost,
      price,
      billed: price === undefined ? undefined : usage,
      ttftMs: null,
      reservationId: reservation !== undefined && deps.ledger.settlesWithUsage ? reservation.id : undefined,
      poolKeyId: key.id,
    };
    ctx.attempts.end(200, null);
    recordUsage(deps, ctx, 'embeddings', request.model, false, 1, result, undefined);
    return answer;
  } catch (err) {
    const error =
      err instanceof GatewayError ? err : new GatewayError({ status: 500, code: 'internal_error', message: 'Internal error.' });
    ctx.attempts.end(error.status, error.code);
    recordUsage(deps, ctx, 'embeddings', request.model, false, 1, undefined, error);
    throw err;
  } finally {
    await reservation?.release();
  }
}
