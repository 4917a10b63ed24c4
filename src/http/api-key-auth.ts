import { accountDisabled } from '../accounts/accounts.js';
import { GatewayError } from '../errors.js';
import type { ApiKeys, KeyAuth } from '../keys/api-keys.js';

/** 401 for a missing, malformed, unknown or revoked Z-AI key. */
export function invalidKey(message: string): GatewayError {
  return new GatewayError({ status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message });
}

/**
 * The Z-AI key of an `Authorization: Bearer …` header; 401 for a missing, malformed, unknown or
 * revoked key, 403 for a key of an account an admin disabled.
 */
export async function authenticateApiKey(keys: ApiKeys, header: string | undefined): Promise<KeyAuth> {
  if (header === undefined) throw invalidKey('Missing API key: send "Authorization: Bearer zai-…".');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw invalidKey('Malformed Authorization header: expected "Bearer zai-…".');
  const auth = await keys.authenticate(match[1]);
  // One message for unknown and revoked keys alike.
  if (auth === undefined || auth.revoked) throw invalidKey('Incorrect or revoked Z-AI key.');
  if (auth.accountDisabled) throw accountDisabled();
  return auth;
}
