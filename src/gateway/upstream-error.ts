/**
 * Turns a non-2xx upstream answer into a GatewayError through the provider's error mapping, with
 * every trace of the provider key scrubbed from what the client will see.
 */
import { GatewayError } from '../errors.js';
import type { ProviderAdapter } from '../providers/provider.js';
import { scrubSecret } from './scrub-secret.js';
import { readText, type UpstreamResponse } from './upstream-client.js';

export async function upstreamError(adapter: ProviderAdapter, upstream: UpstreamResponse, apiKey: string): Promise<GatewayError> {
  const text = await readText(upstream.body, 1024 * 1024).catch(() => '');
  const error = adapter.mapError({ status: upstream.status, body: scrubSecret(text, apiKey), headers: upstream.headers });
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

/** The provider key could not be decrypted (the encryption key changed without rotation). */
export function decryptFailed(cause: unknown): GatewayError {
  return new GatewayError({
    status: 500,
    code: 'provider_key_unreadable',
    message:
      'The stored provider key cannot be decrypted with the configured PROVIDER_KEY_ENCRYPTION_KEY. Paste the key again or restore the previous encryption key.',
    cause,
  });
}

/** Parses a JSON answer body or throws a 502 protocol error. */
export function parseUpstreamJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new GatewayError({ status: 502, code: 'upstream_error', message: 'The provider answered with invalid JSON.', failure: 'protocol', cause });
  }
}
