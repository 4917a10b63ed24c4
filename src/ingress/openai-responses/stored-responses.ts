/**
 * `GET` / `DELETE /v1/responses/{id}` and `GET /v1/responses/{id}/input_items`: responses stored at
 * OpenAI (by `openai/*` requests with `store: true`) live on the user's own OpenAI account, so these
 * are forwarded there with the account's OpenAI key. Z-AI itself stores none: it has nothing to
 * answer for a response another provider served. The key must be allowed some `openai/*` model,
 * and RPM applies; no usage row is written, since no model runs.
 */
import { GatewayError, invalidRequest } from '../../errors.js';
import type { GatewayDeps } from '../../gateway/gateway.js';
import { relayEvents } from '../../gateway/relay-stream.js';
import type { JsonAnswer, RequestContext } from '../../gateway/request-context.js';
import { parseUpstreamJson, unframedError, upstreamError } from '../../gateway/upstream-error.js';
import { clientGone, readAnswer } from '../../gateway/upstream-client.js';
import type { ProviderRoute } from '../../keys/provider-credentials.js';
import { allowsAnyModelOf } from '../../keys/model-patterns.js';
import { upstreamHeaders, upstreamUrl } from '../../providers/openai-compatible/request.js';
import { PROVIDERS } from '../../providers/registry.js';
import { coordinationUnavailable } from '../../store/coordination-error.js';
import { NativeResponsesEvents, withPublicModel } from './passthrough-response.js';

export interface StoredResponseRequest {
  method: 'GET' | 'DELETE';
  /** The response id from the path. */
  id: string;
  /** `/input_items` of the response rather than the response itself. */
  inputItems: boolean;
  /** The client's query string (without `?`), forwarded as is: OpenAI judges its parameters. */
  query: string;
}

const RESPONSE_ID = /^[A-Za-z0-9_-]{1,256}$/;

/** The account's OpenAI provider: the one named `openai`, else the first of provider type openai. */
function openAIRoute(routes: ReadonlyMap<string, ProviderRoute>): ProviderRoute {
  const named = routes.get('openai');
  if (named !== undefined && named.provider === 'openai') return named;
  for (const route of routes.values()) if (route.provider === 'openai') return route;
  throw new GatewayError({
    status: 400,
    code: 'provider_not_configured',
    message:
      'Stored responses live at OpenAI, and no OpenAI provider is configured for this account. Add its key under Providers (POST /api/providers).',
  });
}

export async function forwardStoredResponse(
  deps: GatewayDeps,
  ctx: RequestContext,
  request: StoredResponseRequest,
): Promise<JsonAnswer | undefined> {
  const { auth } = ctx;
  if (!RESPONSE_ID.test(request.id)) throw invalidRequest('The response id must be letters, digits, _ or -.', 'response_id');
  if (!deps.coordinationReady()) throw coordinationUnavailable();
  if (auth.rateLimitRpm !== null) await deps.rateLimiter.hit(auth.id, auth.rateLimitRpm);
  const route = openAIRoute(await deps.providers.routes(auth.userId));
  if (!allowsAnyModelOf(auth.allowedModels, route.name)) {
    throw new GatewayError({
      status: 403,
      type: 'permission_error',
      code: 'model_not_allowed',
      message: `This key may not call ${route.name}/* models, so it cannot read or delete their stored responses.`,
    });
  }

  const adapter = PROVIDERS[route.provider].adapter;
  const apiKey = deps.providers.decryptKey(deps.providers.pickKey(route));
  const stream = request.method === 'GET' && !request.inputItems && new URLSearchParams(request.query).get('stream') === 'true';
  const path = `/responses/${request.id}${request.inputItems ? '/input_items' : ''}${request.query === '' ? '' : `?${request.query}`}`;
  const upstream = await deps.upstream.send(
    {
      method: request.method,
      url: upstreamUrl(route.baseUrl, path),
      headers: upstreamHeaders(apiKey, stream ? 'text/event-stream' : 'application/json', false),
    },
    ctx.signal,
    route.ownerRole,
  );
  if (upstream.status < 200 || upstream.status >= 300) throw await upstreamError(adapter, upstream, apiKey);
  const publicModel = (model: string): string => `${route.name}/${model}`;

  if (stream) {
    // Replays the stored response's events (a background response: as they happen).
    await relayEvents(
      ctx,
      upstream,
      new NativeResponsesEvents(publicModel),
      {},
      deps.metrics,
      (text) => unframedError(adapter, text, apiKey),
      deps.upstream.limits.maxBodyBytes,
    );
    return undefined;
  }
  let text: string;
  try {
    text = await readAnswer(upstream, deps.upstream.limits.maxBodyBytes);
  } catch (err) {
    throw ctx.signal.aborted ? clientGone(err) : err;
  }
  const json = parseUpstreamJson(text);
  withPublicModel(json, publicModel);
  return { status: upstream.status, headers: {}, body: JSON.stringify(json) };
}
