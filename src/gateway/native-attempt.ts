/**
 * Native passthrough: one attempt of a request whose API the target provider speaks itself
 * (Anthropic Messages → an Anthropic key, OpenAI Responses → an OpenAI key). The client's body goes
 * upstream with only `model` changed and the answer comes back with only `model` changed, with no
 * round trip through the chat model, so every field the provider knows survives (cache_control,
 * thinking signatures, beta features) without Z-AI having to know it.
 *
 * Everything a Z-AI key means still applies, because the attempt runs in the same candidate loop
 * as a translated one (`serveWithFallbacks`): allow-list, RPM, fallbacks before the first byte,
 * the cap's worst-case reservation settled at the reported usage, the usage row, the log line
 * and metrics, `x-zai-model` and `x-zai-cost-micro-usd`.
 *
 * How an ingress uses it: per candidate, when `candidate.info.id` is the provider that speaks its
 * API, call `runNativeAttempt(deps, ctx, candidate, native)` with a NativeRequest (below) instead
 * of `runChatAttempt`; the provider's adapter supplies `nativeCall` (URL and authentication for a
 * path of its API). The ingress keeps the protocol knowledge: the upstream path, how to find the
 * usage in a complete answer and in the stream events, and how to write errors and keep-alives.
 */
import { capSubject } from './cap-subject.js';
import { nanoToMicro } from '../billing/cost.js';
import { maxOutputTokensUpperBound, worstCaseCostNanoUsd } from '../billing/estimate.js';
import type { Reservation } from '../billing/spend-ledger.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { TokenUsage } from '../openai/types.js';
import {
  answerBilled,
  answeredResult,
  billedNanoUsd,
  streamBilled,
  streamedResult,
  type AttemptResult,
  type AttemptServed,
} from './attempt-result.js';
import type { AttemptDeps } from './chat-attempt.js';
import type { ModelRoute } from './model-route.js';
import { relayEvents, type EventRelay } from './relay-stream.js';
import type { RequestContext } from './request-context.js';
import { parseUpstreamJson, unframedError } from './upstream-error.js';
import { sendPooled } from './pooled-send.js';
import { editedOr } from '../providers/request-text.js';
import { clientGone, readAnswer } from './upstream-client.js';

/** A client request in the provider's own API, as the ingress prepared it. */
export interface NativeRequest {
  /** The provider API path (`/v1/messages` for Anthropic; `/responses` for OpenAI, whose base URL ends in `/v1`). */
  path: string;
  /** Client headers to forward (e.g. `anthropic-beta`), already checked by the ingress. */
  headers: Record<string, string>;
  stream: boolean;
  /**
   * The body for one upstream model: the client's body with only `model` replaced, serialised. The
   * attempt sends the client's own text with `model` edited instead, when the context holds it.
   */
  body(upstreamModel: string): string;
  /** For a capped key's reservation: an upper bound on the prompt tokens. */
  promptTokensUpperBound(): number;
  /** For a capped key's reservation: the output limit the client set, if any. */
  maxOutputTokens: number | undefined;
  /**
   * A complete 2xx answer (parsed JSON) → the client's body (only `model` = publicModel changed) and
   * the usage to bill. Throws GatewayError (502, failure 'protocol') for a body that is not an answer.
   */
  answer(json: unknown, publicModel: string): { body: string; usage: TokenUsage | undefined };
  /** A fresh relay for one streamed answer: events out with `model` = publicModel, usage read on the way. */
  createStream(publicModel: string): EventRelay;
  /** For prompt-cache affinity: what names the conversation (its leading messages); absent, no affinity. */
  leading?: () => string;
}

export async function runNativeAttempt(
  deps: AttemptDeps,
  ctx: RequestContext,
  candidate: ModelRoute,
  native: NativeRequest,
): Promise<AttemptResult> {
  const { auth } = ctx;
  const adapter = candidate.info.adapter;
  if (adapter.nativeCall === undefined) {
    throw new GatewayError({ status: 500, code: 'internal_error', message: `${candidate.info.label} takes no native requests.` });
  }
  const headers: Record<string, string> = { 'x-zai-model': candidate.model };
  const price = candidate.price;
  let reservation: Reservation | undefined;
  const promptBound = price !== undefined && auth.capNanoUsd !== null ? native.promptTokensUpperBound() : undefined;
  if (auth.capNanoUsd !== null && price !== undefined && promptBound !== undefined) {
    // The body is not ours to change, so an answer of unknown size cannot be bounded for the cap.
    const maxOut = maxOutputTokensUpperBound({ max_tokens: native.maxOutputTokens }, candidate.catalog?.maxOutputTokens ?? null);
    if (maxOut === undefined) {
      throw invalidRequest('This key has a spend cap: set an output token limit so the request can be bounded.', 'max_tokens');
    }
    reservation = await deps.ledger.reserve(
      capSubject(ctx),
      worstCaseCostNanoUsd({ promptTokensUpperBound: promptBound, maxOutputTokens: maxOut, price }),
    );
  }

  try {
    const nativeCall = adapter.nativeCall;
    const modelJson = JSON.stringify(candidate.upstreamModel);
    const { upstream, apiKey, key } = await sendPooled(
      deps,
      ctx,
      candidate,
      (apiKey) => ({
        call: nativeCall(
          {
            path: native.path,
            // The client's own text with only `model` replaced, which is what body() serialises,
            // when the context still holds it (see providers/request-text.ts). Made here, not kept
            // in a variable of this function, which lives as long as the answer.
            body: editedOr(ctx.bodyText, { model: modelJson }, () => native.body(candidate.upstreamModel)),
            headers: native.headers,
            stream: native.stream,
          },
          { baseUrl: candidate.route.baseUrl, apiKey },
        ),
      }),
      native.leading,
    );
    const served: AttemptServed = {
      candidate,
      reservationId: reservation !== undefined && deps.ledger.settlesWithUsage ? reservation.id : undefined,
      poolKeyId: key.id,
    };

    if (!native.stream) {
      let text: string;
      try {
        text = await readAnswer(upstream, deps.upstream.limits.maxBodyBytes);
      } catch (err) {
        throw ctx.signal.aborted ? clientGone(err) : err;
      }
      const { body, usage } = native.answer(parseUpstreamJson(text), candidate.model);
      // A complete answer without usage is billed on its prompt bound and its whole size.
      const billed = answerBilled(
        price,
        usage,
        () => promptBound ?? native.promptTokensUpperBound(),
        () => Buffer.byteLength(body),
      );
      const cost = billedNanoUsd(price, billed);
      if (reservation !== undefined) await reservation.settle(cost);
      headers['x-zai-cost-micro-usd'] = String(nanoToMicro(cost));
      return answeredResult(served, { status: 200, headers, body }, usage, billed, cost);
    }

    const outcome = await relayEvents(
      ctx,
      upstream,
      native.createStream(candidate.model),
      headers,
      deps.metrics,
      (text) => unframedError(adapter, text, apiKey),
      deps.upstream.limits.maxBodyBytes,
    );
    const billed = streamBilled(price, outcome, () => promptBound ?? native.promptTokensUpperBound());
    const cost = billedNanoUsd(price, billed);
    if (reservation !== undefined) await reservation.settle(cost);
    return streamedResult(served, outcome, billed, cost);
  } finally {
    if (reservation !== undefined) await reservation.release();
  }
}
