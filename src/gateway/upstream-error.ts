/**
 * Turns a non-2xx upstream answer into a GatewayError through the provider's error mapping, with
 * every trace of the provider key scrubbed from what the client will see.
 */
import { GatewayError } from '../errors.js';
import type { ProviderAdapter } from '../providers/provider.js';
import { scrubSecret } from './scrub-secret.js';
import { flattenHeaders, readText, type UpstreamResponse } from './upstream-client.js';

export async function upstreamError(adapter: ProviderAdapter, upstream: UpstreamResponse, apiKey: string): Promise<GatewayError> {
  const text = await readText(upstream.body, 1024 * 1024).catch(() => '');
  const error = adapter.mapError({
    status: upstream.status,
    body: scrubSecret(text, apiKey),
    headers: flattenHeaders(upstream.headers),
  });
  // The adapter may quote the body in its message; scrub the result too.
  return new GatewayError({
    status: error.status,
    type: error.type,
    code: error.code,
    param: error.param,
    message: scrubSecret(error.message, apiKey),
    retryable: error.retryable,
    failure: error.failure ?? 'status',
    headers: error.headers,
  });
}

/**
 * A bare JSON error object written into a 200 stream instead of SSE events (Gemini does this;
 * docs/providers.md §5 rule 10), mapped through the provider's error mapping with the key
 * scrubbed; undefined when the text is not such an object.
 */
export function unframedError(adapter: ProviderAdapter, text: string, apiKey: string): GatewayError | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const body = (Array.isArray(json) ? json[0] : json) as { error?: { code?: unknown } } | undefined;
  if (typeof body?.error !== 'object' || body.error === null) return undefined;
  const code = body.error.code;
  const status = typeof code === 'number' && code >= 400 && code < 600 ? code : 502;
  return adapter.mapError({ status, body: scrubSecret(text, apiKey), headers: {} });
}

/** Parses a JSON answer body or throws a 502 protocol error. */
export function parseUpstreamJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw invalidUpstreamJson(cause);
  }
}

/** 502: the answer is not JSON. */
export function invalidUpstreamJson(cause: unknown): GatewayError {
  return new GatewayError({
    status: 502,
    code: 'upstream_error',
    message: 'The provider answered with invalid JSON.',
    failure: 'protocol',
    cause,
  });
}
