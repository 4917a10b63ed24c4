/**
 * One attempt of a chat completion against one model: reserve the worst case under the key's cap,
 * decrypt the provider key for this call only, send, translate, price, settle. The reservation is
 * always settled or released, whatever happens.
 */
import { reserveChat, SHORTENED_WARNING } from './cap-reservation.js';
import { costNanoUsd, nanoToMicro } from '../billing/cost.js';
import { estimateCutStreamCost, estimatePromptTokensUpperBound } from '../billing/estimate.js';
import type { ModelPrice } from '../billing/price-catalog.js';
import type { Reservation, SpendLedger } from '../billing/spend-ledger.js';
import type { ProviderCredentials } from '../keys/provider-credentials.js';
import type { ChatCompletion, ChatCompletionRequest, TokenUsage } from '../openai/types.js';
import { toTokenUsage } from '../openai/token-usage.js';
import type { Metrics } from '../usage/metrics.js';
import { openAIChunks, type ClientCodec } from './client-codec.js';
import type { ModelRoute } from './model-route.js';
import { warningsHeader } from './warnings-header.js';
import { relayStream, type StreamOutcome } from './relay-stream.js';
import type { JsonAnswer, RequestContext } from './request-context.js';
import { parseUpstreamJson, unframedError } from './upstream-error.js';
import { sendPooled } from './pooled-send.js';
import { clientGone, readAnswer, type UpstreamClient } from './upstream-client.js';

export interface AttemptDeps {
  providers: ProviderCredentials;
  ledger: SpendLedger;
  upstream: UpstreamClient;
  metrics: Metrics;
}

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

/**
 * What names a conversation for prompt-cache affinity: the messages up to and including the first
 * user message, which stay the same as the conversation grows.
 */
export function leadingMessages(request: ChatCompletionRequest): string {
  const firstUser = request.messages.findIndex((m) => m.role === 'user');
  return JSON.stringify(request.messages.slice(0, firstUser < 0 ? 1 : firstUser + 1));
}

/** OpenAI usage → the token counts Z-AI bills. */
export { toTokenUsage };

function completionBytes(completion: ChatCompletion): number {
  let n = 0;
  for (const choice of completion.choices) {
    n += Buffer.byteLength(choice.message.content ?? '');
    for (const call of choice.message.tool_calls ?? []) n += Buffer.byteLength(call.function.arguments);
  }
  return n;
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

/** How an ingress serves a translated request: its answer shapes and what it dropped on the way in. */
export interface IngressOptions {
  /** Writes the answer in the client's API (OpenAI's chat shapes when absent). */
  codec: ClientCodec;
  /** Named in `x-zai-warnings` before the adapter's own. */
  warnings: readonly string[];
  /** Extra answer headers (e.g. `x-zai-max-tokens` when the ingress clamped max_tokens). */
  headers: Readonly<Record<string, string>>;
}

export async function runChatAttempt(
  deps: AttemptDeps,
  ctx: RequestContext,
  candidate: ModelRoute,
  clientRequest: ChatCompletionRequest,
  ingress?: IngressOptions,
): Promise<AttemptResult> {
  const { auth } = ctx;
  const stream = clientRequest.stream === true;
  const headers: Record<string, string> = { 'x-zai-model': candidate.model };
  if (ingress !== undefined) Object.assign(headers, ingress.headers);
  let request = clientRequest;
  let reservation: Reservation | undefined;
  const price = candidate.price;

  // Without a cap there is nothing to reserve, and the estimate is not worth its CPU.
  const promptBound = price !== undefined && auth.capNanoUsd !== null ? estimatePromptTokensUpperBound(clientRequest) : undefined;
  let shortened = false;
  if (auth.capNanoUsd !== null && price !== undefined && promptBound !== undefined) {
    const capped = await reserveChat(
      deps.ledger,
      ctx,
      clientRequest,
      price,
      promptBound,
      candidate.catalog?.maxOutputTokens ?? null,
    );
    reservation = capped.reservation;
    request = capped.request;
    shortened = capped.shortened;
    if (capped.setMaxTokens !== undefined) headers['x-zai-max-tokens'] = String(capped.setMaxTokens);
  }

  try {
    const {
      built: translation,
      upstream,
      apiKey,
      key,
    } = await sendPooled(
      deps,
      ctx,
      candidate,
      (apiKey) =>
        candidate.info.adapter.chat(
          {
            request,
            upstreamModel: candidate.upstreamModel,
            publicModel: candidate.model,
            stream,
            includeUsage: stream && clientRequest.stream_options?.include_usage === true,
            maxOutputTokens: candidate.catalog?.maxOutputTokens ?? undefined,
          },
          { baseUrl: candidate.route.baseUrl, apiKey },
        ),
      () => leadingMessages(clientRequest),
    );
    const warnings = [
      ...new Set([...(ingress?.warnings ?? []), ...translation.warnings, ...(shortened ? [SHORTENED_WARNING] : [])]),
    ];
    if (warnings.length > 0) headers['x-zai-warnings'] = warningsHeader(warnings);

    // Both results below are spelled out: see docs/performance.md, "No properties after a spread".
    const reservationId = reservation !== undefined && deps.ledger.settlesWithUsage ? reservation.id : undefined;
    if (!stream) {
      let text: string;
      try {
        text = await readAnswer(upstream, deps.upstream.limits.maxBodyBytes);
      } catch (err) {
        throw ctx.signal.aborted ? clientGone(err) : err;
      }
      const json = parseUpstreamJson(text);
      // The upstream's text with the model edited in, when nothing else changes; else re-serialised.
      const encoded = ingress === undefined ? translation.encodeResponse?.(text, json) : undefined;
      const completion = translation.parseResponse(json);
      const usage = toTokenUsage(completion.usage);
      const cost =
        price === undefined
          ? 0
          : usage
            ? costNanoUsd(usage, price)
            : estimateCutStreamCost({
                promptTokensUpperBound: promptBound ?? estimatePromptTokensUpperBound(clientRequest),
                completionBytes: completionBytes(completion),
                price,
              });
      if (reservation !== undefined) await reservation.settle(cost);
      headers['x-zai-cost-micro-usd'] = String(nanoToMicro(cost));
      const body = ingress === undefined ? (encoded ?? JSON.stringify(completion)) : ingress.codec.completion(completion);
      const answer: JsonAnswer = { status: 200, headers, body };
      return {
        answer,
        model: candidate.model,
        providerName: candidate.route.name,
        status: 200,
        errorCode: null,
        usage,
        costNanoUsd: cost,
        ttftMs: null,
        reservationId,
        poolKeyId: key.id,
      };
    }

    const encoder = ingress === undefined ? openAIChunks() : ingress.codec.createStream();
    const outcome = await relayStream(
      ctx,
      upstream,
      // OpenAI's own chunks may be handed on as text; another API's encoder reads objects.
      translation.createStream(encoder.acceptsEncoded),
      headers,
      deps.metrics,
      (text) => unframedError(candidate.info.adapter, text, apiKey),
      deps.upstream.limits.maxBodyBytes,
      encoder,
    );
    const cost = streamCostNanoUsd(price, outcome, () => promptBound ?? estimatePromptTokensUpperBound(clientRequest));
    if (reservation !== undefined) await reservation.settle(cost);
    return {
      answer: undefined,
      model: candidate.model,
      providerName: candidate.route.name,
      status: outcome.status,
      errorCode: outcome.errorCode,
      usage: outcome.usage,
      costNanoUsd: cost,
      ttftMs: outcome.ttftMs,
      reservationId,
      poolKeyId: key.id,
    };
  } finally {
    // No-op after settle; gives the reservation back on every error path. (Awaiting nothing would
    // still cost a turn of the microtask queue on every uncapped request.)
    if (reservation !== undefined) await reservation.release();
  }
}
