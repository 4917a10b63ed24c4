/**
 * `POST /v1/messages/count_tokens`: Anthropic's own count for `anthropic/*` models (the request is
 * passed through like a message), an estimate in the same shape (`{"input_tokens": N}`) for every
 * other provider, none of which has an equivalent. Counting is free and produces nothing, so it is
 * not a usage row; the key's allow-list and rate limit apply as to any request.
 *
 * @see https://docs.claude.com/en/api/messages-count-tokens
 */
import { GatewayError } from '../../errors.js';
import { planCandidates, type GatewayDeps } from '../../gateway/gateway.js';
import type { JsonAnswer, RequestContext } from '../../gateway/request-context.js';
import { parseUpstreamJson, upstreamError } from '../../gateway/upstream-error.js';
import { clientGone, readText } from '../../gateway/upstream-client.js';
import { isRecord } from '../../lib/is-record.js';
import { anthropicProtocolError } from '../../providers/anthropic/errors.js';
import { estimateInputTokens } from './usage.js';
import { publicModel, validateMessagesRequest } from './validate-request.js';

export async function countTokens(
  deps: GatewayDeps,
  ctx: RequestContext,
  body: unknown,
  forwardHeaders: Record<string, string>,
): Promise<JsonAnswer> {
  const request = validateMessagesRequest(body, { countTokens: true });
  const [candidate] = await planCandidates(deps, ctx, publicModel(request.model), { fallbacks: false });
  if (candidate === undefined) throw new GatewayError({ status: 500, code: 'internal_error', message: 'No model to count for.' });
  const headers = { 'x-zai-model': candidate.model };
  const adapter = candidate.info.adapter;
  if (candidate.info.id !== 'anthropic' || adapter.nativeCall === undefined) {
    return { status: 200, headers, body: JSON.stringify({ input_tokens: estimateInputTokens(request) }) };
  }

  const apiKey = deps.providers.decryptKey(deps.providers.pickKey(candidate.route));
  const call = adapter.nativeCall(
    {
      path: '/v1/messages/count_tokens',
      body: JSON.stringify(Object.assign({}, request, { model: candidate.upstreamModel })),
      headers: forwardHeaders,
      stream: false,
    },
    { baseUrl: candidate.route.baseUrl, apiKey },
  );
  const upstream = await deps.upstream.send(call, ctx.signal, candidate.route.ownerRole);
  if (upstream.status < 200 || upstream.status >= 300) throw await upstreamError(adapter, upstream, apiKey);
  let text: string;
  try {
    text = await readText(upstream.body, 1024 * 1024);
  } catch (err) {
    throw ctx.signal.aborted ? clientGone(err) : err;
  }
  const json = parseUpstreamJson(text);
  if (!isRecord(json) || typeof json.input_tokens !== 'number') {
    throw anthropicProtocolError('Anthropic answered count_tokens without input_tokens.');
  }
  return { status: 200, headers, body: text };
}
