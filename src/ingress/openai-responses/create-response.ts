/**
 * `POST /v1/responses`. Per candidate of the key's chain (the requested model, then its
 * fallbacks): an `openai/*` model gets the client's request natively at OpenAI's `/v1/responses`;
 * any other model gets it translated to the internal chat request and served through its
 * provider adapter, the answer written back as Responses. Both run in the gateway's one candidate
 * loop, so the allow-list, RPM, caps, fallbacks, usage row, logs, metrics and headers are those of
 * `/v1/chat/completions`.
 */
import { GatewayError, invalidRequest } from '../../errors.js';
import { runChatAttempt } from '../../gateway/chat-attempt.js';
import { serveWithFallbacks, type GatewayDeps } from '../../gateway/gateway.js';
import type { ModelRoute } from '../../gateway/model-route.js';
import type { NativeRequest } from '../../gateway/native-attempt.js';
import { runNativeAttempt } from '../../gateway/native-attempt.js';
import type { JsonAnswer, RequestContext } from '../../gateway/request-context.js';
import { responsesCodec } from './codec.js';
import {
  checkBoundedInput,
  estimateNativePromptTokens,
  nativeBody,
  nativeLeading,
  readNativeRequest,
  type NativeResponsesRequest,
} from './passthrough-request.js';
import { NativeResponsesEvents, nativeUsage, withPublicModel } from './passthrough-response.js';
import { translateRequest, type ResponsesTranslation } from './request.js';

/** The provider whose API this ingress speaks natively. */
const NATIVE_PROVIDER = 'openai';

function nativeRequest(request: NativeResponsesRequest): NativeRequest {
  const max = request.fields.max_output_tokens;
  return {
    // OpenAI's base URL ends in /v1.
    path: '/responses',
    headers: {},
    stream: request.stream,
    body: (upstreamModel) => nativeBody(request, upstreamModel, undefined),
    promptTokensUpperBound: () => estimateNativePromptTokens(request),
    maxOutputTokens: typeof max === 'number' ? max : undefined,
    answer(json, publicModel) {
      const response = withPublicModel(json, () => publicModel);
      if (response === undefined) {
        throw new GatewayError({
          status: 502,
          code: 'upstream_error',
          message: 'The provider answered with no response object.',
          failure: 'protocol',
        });
      }
      return { body: JSON.stringify(response), usage: nativeUsage(response) };
    },
    createStream: (publicModel) => new NativeResponsesEvents(() => publicModel),
    leading: () => nativeLeading(request),
  };
}

/**
 * A capped key needs a bound on the output before the call; the client's body is passed through
 * as it is, so a model with no known maximum needs the client to set one.
 */
function checkBoundedOutput(request: NativeResponsesRequest, candidate: ModelRoute): void {
  if (request.fields.max_output_tokens !== undefined && request.fields.max_output_tokens !== null) return;
  if (candidate.catalog?.maxOutputTokens !== undefined && candidate.catalog.maxOutputTokens !== null) return;
  throw invalidRequest(
    `This key has a spend cap and ${candidate.model} has no known output limit: set max_output_tokens so the request can be bounded.`,
    'max_output_tokens',
  );
}

export async function createResponse(deps: GatewayDeps, ctx: RequestContext, body: unknown): Promise<JsonAnswer | undefined> {
  const request = readNativeRequest(body);
  // Built on first use: a request served natively is never translated.
  let native: NativeRequest | undefined;
  let translation: ResponsesTranslation | undefined;

  const attempt = (candidate: ModelRoute) => {
    if (candidate.info.id === NATIVE_PROVIDER) {
      if (ctx.auth.capNanoUsd !== null) {
        checkBoundedOutput(request, candidate);
        checkBoundedInput(request);
      }
      native ??= nativeRequest(request);
      return runNativeAttempt(deps, ctx, candidate, native);
    }
    try {
      translation ??= translateRequest(body);
    } catch (err) {
      // The requested model's refusal is the client's answer; a fallback that cannot take this
      // request (e.g. it continues a conversation stored at OpenAI) is passed over like one that failed.
      if (candidate.model === request.model || !(err instanceof GatewayError)) throw err;
      throw new GatewayError({
        status: err.status,
        code: err.code,
        param: err.param,
        message: `The fallback ${candidate.model} cannot serve this request: ${err.message}`,
        retryable: true,
      });
    }
    const { chat, warnings, echo, names } = translation;
    // The answer names the model that served it (a fallback's, when one did).
    const codec = responsesCodec(Object.assign({}, echo, { model: candidate.model }), names);
    return runChatAttempt(deps, ctx, candidate, chat, { codec, warnings, headers: {} });
  };
  const maxOutput = request.fields.max_output_tokens;
  const tokens = {
    // Text of the input and instructions, about 4 bytes per token, as the chat estimate counts.
    input: () =>
      Math.ceil(Buffer.byteLength(JSON.stringify([request.fields.input ?? null, request.fields.instructions ?? null])) / 4),
    maxOutput: typeof maxOutput === 'number' && maxOutput > 0 ? maxOutput : undefined,
  };
  return serveWithFallbacks(deps, ctx, { model: request.model, stream: request.stream, endpoint: 'responses', tokens }, attempt);
}
