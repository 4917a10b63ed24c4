/**
 * Anthropic errors (HTTP error answers and `error` stream events) → GatewayError in OpenAI's shape.
 *
 * Statuses keep their meaning, with two deliberate changes: Anthropic's 500 `api_error` becomes
 * 502 `upstream_error` (the gateway did not fail, its upstream did), and 529 `overloaded_error`
 * becomes 503 so clients and the fallback logic treat it as an outage, not as a status they do not
 * know. Outages, timeouts and rate limits are `retryable` so another model may be tried. A 429
 * keeps Anthropic's `retry-after`, or gets one derived from its rate-limit reset headers.
 *
 * @see https://docs.claude.com/en/api/errors
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import { GatewayError, RETRYABLE_STATUSES, type ErrorType, type FailureClass } from '../../errors.js';
import type { UpstreamErrorResponse } from '../provider.js';
import { anthropicErrorBodySchema } from './schema.js';
import { headerValue } from '../../lib/header-value.js';

interface ErrorMapping {
  status: number;
  type: ErrorType;
  code: string | null;
  retryable: boolean;
}

const API_ERROR: ErrorMapping = { status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true };
const TIMEOUT: ErrorMapping = { status: 504, type: 'timeout_error', code: 'upstream_timeout', retryable: true };
const OVERLOADED: ErrorMapping = {
  status: 503,
  type: 'service_unavailable_error',
  code: 'upstream_overloaded',
  retryable: true,
};

/** Anthropic `error.type` → OpenAI status, type and code. */
const BY_TYPE: ReadonlyMap<string, ErrorMapping> = new Map<string, ErrorMapping>([
  ['invalid_request_error', { status: 400, type: 'invalid_request_error', code: null, retryable: false }],
  // OpenAI clients recognise a bad key by this code.
  ['authentication_error', { status: 401, type: 'authentication_error', code: 'invalid_api_key', retryable: false }],
  ['billing_error', { status: 402, type: 'insufficient_quota', code: 'billing_error', retryable: false }],
  ['permission_error', { status: 403, type: 'permission_error', code: null, retryable: false }],
  ['not_found_error', { status: 404, type: 'not_found_error', code: null, retryable: false }],
  ['request_too_large', { status: 413, type: 'invalid_request_error', code: 'request_too_large', retryable: false }],
  ['rate_limit_error', { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true }],
  ['api_error', API_ERROR],
  ['timeout_error', TIMEOUT],
  ['overloaded_error', OVERLOADED],
]);

/** The error type Anthropic uses for each status, for bodies that do not say (HTML from a proxy, empty). */
const TYPE_BY_STATUS: ReadonlyMap<number, string> = new Map([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [402, 'billing_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [504, 'timeout_error'],
  [529, 'overloaded_error'],
]);

/** Maps a non-2xx answer from Anthropic (`ProviderAdapter.mapError`). */
export function mapAnthropicError(response: UpstreamErrorResponse): GatewayError {
  const parsed = parseErrorBody(response.body);
  // The body's type is more specific than the status (e.g. overloaded_error may arrive as 500).
  const mapping =
    (parsed === undefined ? undefined : BY_TYPE.get(parsed.type)) ??
    BY_TYPE.get(TYPE_BY_STATUS.get(response.status) ?? '') ??
    mappingForOtherStatus(response.status);
  const retryAfter =
    headerValue(response.headers, 'retry-after') ??
    (mapping.status === 429 ? retryAfterFromResets(response.headers, Date.now()) : undefined);
  return toGatewayError(
    mapping,
    parsed?.message ?? `Anthropic answered HTTP ${response.status} without an error message.`,
    'status',
    retryAfter === undefined ? {} : { 'retry-after': retryAfter },
  );
}

/** Maps an `error` event received inside a 200 stream; the body shape is the same as over HTTP. */
export function anthropicStreamError(error: { type: string; message?: string | undefined }): GatewayError {
  return toGatewayError(
    BY_TYPE.get(error.type) ?? API_ERROR,
    error.message ?? `Anthropic sent a stream error of type ${error.type}.`,
    'protocol',
    {},
  );
}

function mappingForOtherStatus(status: number): ErrorMapping {
  if (status >= 500) return API_ERROR;
  // Other 4xx (408, 409, 422…) keep their status; only 408 is worth retrying elsewhere.
  const type: ErrorType = status === 408 ? 'timeout_error' : 'invalid_request_error';
  return { status, type, code: null, retryable: RETRYABLE_STATUSES.has(status) };
}

function toGatewayError(
  mapping: ErrorMapping,
  message: string,
  failure: FailureClass,
  headers: Record<string, string>,
): GatewayError {
  return new GatewayError({
    status: mapping.status,
    message,
    type: mapping.type,
    code: mapping.code,
    retryable: mapping.retryable,
    failure,
    headers,
  });
}

function parseErrorBody(body: string): { type: string; message: string | undefined } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const result = anthropicErrorBodySchema.safeParse(json);
  return result.success ? { type: result.data.error.type, message: result.data.error.message } : undefined;
}

const RESET_HEADER = /^anthropic-ratelimit-([a-z-]+)-reset$/;

/**
 * Whole seconds until the rate limit that was hit resets, for a 429 without `retry-after`
 * (docs/providers.md §2.8). Anthropic sends `anthropic-ratelimit-{requests,tokens,
 * input-tokens,output-tokens}-reset` as RFC 3339 times; the limit that was hit is one whose
 * `-remaining` is 0, and without that hint the latest reset is the wait that is surely enough.
 */
export function retryAfterFromResets(headers: Record<string, string | undefined>, now: number): string | undefined {
  const resets: number[] = [];
  const exhausted: number[] = [];
  for (const [key, value] of Object.entries(headers)) {
    const limit = RESET_HEADER.exec(key.toLowerCase())?.[1];
    const at = value === undefined ? NaN : Date.parse(value);
    if (limit === undefined || !Number.isFinite(at)) continue;
    resets.push(at);
    if (headerValue(headers, `anthropic-ratelimit-${limit}-remaining`)?.trim() === '0') exhausted.push(at);
  }
  const waits = exhausted.length > 0 ? exhausted : resets;
  if (waits.length === 0) return undefined;
  return String(Math.max(0, Math.ceil((Math.max(...waits) - now) / 1000)));
}

/**
 * A 2xx answer or stream event the gateway cannot read. The request was fine and another model
 * may well answer, so it is retryable like any other upstream failure.
 */
export function anthropicProtocolError(message: string, cause?: unknown): GatewayError {
  return new GatewayError({
    status: 502,
    message,
    type: 'upstream_error',
    code: 'upstream_error',
    retryable: true,
    failure: 'protocol',
    cause,
  });
}
