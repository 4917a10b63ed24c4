/**
 * `POST /v1/messages`: Anthropic's Messages API in front of every provider. An ingress is a codec
 * at the front, as a provider adapter is one at the back: for each candidate model (the requested
 * one, then the key's fallbacks) the request is either passed through natively (an `anthropic/*`
 * model) or translated to the gateway's chat request, served by that provider's adapter, and the
 * answer written back as a Message or as Anthropic's stream events. Allow-list, spend cap, RPM,
 * fallbacks, usage rows (endpoint `messages`), logs and metrics are the gateway's, unchanged.
 */
import { runChatAttempt } from '../../gateway/chat-attempt.js';
import { serveWithFallbacks, type GatewayDeps } from '../../gateway/gateway.js';
import { runNativeAttempt } from '../../gateway/native-attempt.js';
import type { JsonAnswer, RequestContext } from '../../gateway/request-context.js';
import { messagesCodec } from './codec.js';
import { anthropicPassthrough } from './passthrough.js';
import { prepareTranslation, type PreparedTranslation } from './request.js';
import { estimateInputTokens } from './usage.js';
import { publicModel, validateMessagesRequest } from './validate-request.js';

/** The client headers an Anthropic upstream receives: the beta flags, already checked. */
export interface MessagesHeaders {
  anthropicBeta: string | undefined;
}

export async function createMessage(
  deps: GatewayDeps,
  ctx: RequestContext,
  body: unknown,
  headers: MessagesHeaders,
): Promise<JsonAnswer | undefined> {
  const request = validateMessagesRequest(body);
  const forward: Record<string, string> = headers.anthropicBeta === undefined ? {} : { 'anthropic-beta': headers.anthropicBeta };
  const native = anthropicPassthrough(request, '/v1/messages', forward);
  const id = `msg_${ctx.requestId.replace(/^req_/, '')}`;
  // Built on first need: a request served natively never pays for the translation.
  let translation: PreparedTranslation | undefined;
  let inputTokensEstimate: number | undefined;

  return serveWithFallbacks(
    deps,
    ctx,
    {
      model: publicModel(request.model),
      stream: request.stream === true,
      endpoint: 'messages',
      tokens: { input: () => estimateInputTokens(request), maxOutput: request.max_tokens },
    },
    (candidate) => {
      if (candidate.info.id === 'anthropic') return runNativeAttempt(deps, ctx, candidate, native);
      translation ??= prepareTranslation(request, { anthropicBeta: headers.anthropicBeta !== undefined });
      inputTokensEstimate ??= estimateInputTokens(request);
      const target = translation.forTarget({
        model: candidate.model,
        providerId: candidate.info.id,
        upstreamModel: candidate.upstreamModel,
        maxOutputTokens: candidate.catalog?.maxOutputTokens ?? undefined,
      });
      return runChatAttempt(deps, ctx, candidate, target.request, {
        codec: messagesCodec({ id, model: candidate.model, inputTokensEstimate, stopSequences: request.stop_sequences ?? [] }),
        warnings: target.warnings,
        headers: target.headers,
      });
    },
  );
}
