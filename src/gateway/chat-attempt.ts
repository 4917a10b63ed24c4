/**
 * One attempt of a chat completion against one model: reserve the worst case under the key's cap,
 * decrypt the provider key for this call only, send, translate, price, settle. The reservation is
 * always settled or released, whatever happens.
 */
import { reserveChat, SHORTENED_WARNING } from './cap-reservation.js';
import { nanoToMicro } from '../billing/cost.js';
import { estimatePromptTokensUpperBound } from '../billing/estimate.js';
import type { Reservation, SpendLedger } from '../billing/spend-ledger.js';
import type { ProviderCredentials } from '../keys/provider-credentials.js';
import type { ChatCompletion, ChatCompletionRequest } from '../openai/types.js';
import { toTokenUsage } from '../openai/token-usage.js';
import type { Metrics } from '../usage/metrics.js';
import { openAIChunks, type ClientCodec } from './client-codec.js';
import type { ModelRoute } from './model-route.js';
import { warningsHeader } from './warnings-header.js';
import { relayStream } from './relay-stream.js';
import type { RequestContext } from './request-context.js';
import { parseUpstreamJson, unframedError } from './upstream-error.js';
import { leadingMessages } from './leading-messages.js';
import { sendPooled } from './pooled-send.js';
import { clientGone, readAnswer, type UpstreamClient } from './upstream-client.js';
import {
  answerBilled,
  answeredResult,
  billedNanoUsd,
  streamBilled,
  streamedResult,
  type AttemptResult,
  type AttemptServed,
} from './attempt-result.js';

export interface AttemptDeps {
  providers: ProviderCredentials;
  ledger: SpendLedger;
  upstream: UpstreamClient;
  metrics: Metrics;
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

  // The client's own text goes upstream, edited, when the request is still exactly what it sent.
  // Read in the closure, not kept in a variable of this function, which lives as long as the answer.
  const sendsText = ingress === undefined && request === clientRequest;
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
            requestText: sendsText ? ctx.bodyText : undefined,
          },
          { baseUrl: candidate.route.baseUrl, apiKey },
        ),
      () => leadingMessages(clientRequest.messages),
    );
    const warnings = [
      ...new Set([...(ingress?.warnings ?? []), ...translation.warnings, ...(shortened ? [SHORTENED_WARNING] : [])]),
    ];
    if (warnings.length > 0) headers['x-zai-warnings'] = warningsHeader(warnings);

    // Both results below are spelled out: see docs/performance.md, "No properties after a spread".
    const served: AttemptServed = {
      candidate,
      reservationId: reservation !== undefined && deps.ledger.settlesWithUsage ? reservation.id : undefined,
      poolKeyId: key.id,
    };
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
      const billed = answerBilled(
        price,
        usage,
        () => promptBound ?? estimatePromptTokensUpperBound(clientRequest),
        () => completionBytes(completion),
      );
      const cost = billedNanoUsd(price, billed);
      if (reservation !== undefined) await reservation.settle(cost);
      headers['x-zai-cost-micro-usd'] = String(nanoToMicro(cost));
      const body = ingress === undefined ? (encoded ?? JSON.stringify(completion)) : ingress.codec.completion(completion);
      return answeredResult(served, { status: 200, headers, body }, usage, billed, cost);
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
    const billed = streamBilled(price, outcome, () => promptBound ?? estimatePromptTokensUpperBound(clientRequest));
    const cost = billedNanoUsd(price, billed);
    if (reservation !== undefined) await reservation.settle(cost);
    return streamedResult(served, outcome, billed, cost);
  } finally {
    // No-op after settle; gives the reservation back on every error path. (Awaiting nothing would
    // still cost a turn of the microtask queue on every uncapped request.)
    if (reservation !== undefined) await reservation.release();
  }
}
