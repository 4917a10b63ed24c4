/**
 * Google API errors → GatewayError with OpenAI's shape.
 *
 * Google answers `{"error":{"code","message","status","details":[…]}}`, where `status` is the
 * canonical gRPC code name and `details` may carry `ErrorInfo.reason` (an invalid key is a 400
 * INVALID_ARGUMENT with reason API_KEY_INVALID) and `RetryInfo.retryDelay` (on 429). Some Google
 * front ends wrap the body in an array, and proxies may answer HTML; both are tolerated.
 *
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes
 * @see https://cloud.google.com/apis/design/errors#error_model
 */
import { z } from 'zod';
import { GatewayError, RETRYABLE_STATUSES, type FailureClass } from '../../errors.js';
import type { UpstreamErrorResponse } from '../provider.js';

const googleErrorSchema = z.object({
  error: z.object({
    code: z.number().nullish(),
    message: z.string().nullish(),
    status: z.string().nullish(),
    details: z.array(z.record(z.string(), z.unknown())).nullish(),
  }),
});

export type GoogleErrorBody = z.infer<typeof googleErrorSchema>;

interface Mapping {
  status: number;
  type?: string;
  code: string;
}

// Canonical status → what an OpenAI client should see. Google's 500 becomes 502: the gateway is
// fine, its upstream failed.
const BY_STATUS: Record<string, Mapping> = {
  INVALID_ARGUMENT: { status: 400, code: 'invalid_request' },
  FAILED_PRECONDITION: { status: 400, code: 'failed_precondition' },
  OUT_OF_RANGE: { status: 400, code: 'invalid_request' },
  UNAUTHENTICATED: { status: 401, code: 'invalid_api_key' },
  PERMISSION_DENIED: { status: 403, code: 'permission_denied' },
  NOT_FOUND: { status: 404, code: 'model_not_found' },
  RESOURCE_EXHAUSTED: { status: 429, code: 'rate_limit_exceeded' },
  INTERNAL: { status: 502, type: 'upstream_error', code: 'upstream_error' },
  UNAVAILABLE: { status: 503, type: 'service_unavailable_error', code: 'upstream_unavailable' },
  DEADLINE_EXCEEDED: { status: 504, type: 'timeout_error', code: 'upstream_timeout' },
};

/** Maps a non-2xx Gemini answer (the adapter's `mapError`). */
export function mapGeminiError(response: UpstreamErrorResponse): GatewayError {
  return googleError(parseErrorBody(response.body), response.status, 'status', response.body, response.headers);
}

/**
 * Maps a Google error body. `httpStatus` is the answer's status (or the body's own `code` for an
 * error inside a 200 stream); `rawText` is used as the message when the body is not Google's JSON.
 */
export function googleError(
  body: GoogleErrorBody | undefined,
  httpStatus: number,
  failure: FailureClass,
  rawText = '',
  headers: Record<string, string | undefined> = {},
): GatewayError {
  const error = body?.error;
  // Only a real HTTP status counts; anything else (a fraction, a string) falls back to the answer's.
  const code = error?.code;
  const valid = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 400 && n < 600;
  const upstreamStatus = valid(code) ? code : valid(httpStatus) ? httpStatus : 502;
  const details = error?.details ?? [];
  const mapping = keyInvalid(details)
    ? { status: 401, type: 'invalid_request_error', code: 'invalid_api_key' }
    : ((error?.status ? BY_STATUS[error.status] : undefined) ?? byHttpStatus(upstreamStatus));
  const retryable = RETRYABLE_STATUSES.has(upstreamStatus) || RETRYABLE_STATUSES.has(mapping.status);
  const retryAfter = retryDelaySeconds(details) ?? headers['retry-after'];
  return new GatewayError({
    status: mapping.status,
    ...(mapping.type === undefined ? {} : { type: mapping.type }),
    code: mapping.code,
    message: error?.message || fallbackMessage(upstreamStatus, rawText),
    retryable,
    failure,
    ...(retryAfter === undefined ? {} : { headers: { 'retry-after': retryAfter } }),
  });
}

/** Reads Google's error JSON from a body text, unwrapping a one-element array; undefined otherwise. */
export function parseErrorBody(text: string): GoogleErrorBody | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (Array.isArray(value)) value = value[0];
  const result = googleErrorSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

function byHttpStatus(status: number): Mapping {
  if (status === 401) return { status, code: 'invalid_api_key' };
  if (status === 429) return { status, code: 'rate_limit_exceeded' };
  if (status === 503) return BY_STATUS['UNAVAILABLE'] ?? { status, code: 'upstream_unavailable' };
  if (status === 504) return BY_STATUS['DEADLINE_EXCEEDED'] ?? { status, code: 'upstream_timeout' };
  if (status >= 500) return { status: 502, type: 'upstream_error', code: 'upstream_error' };
  if (status >= 400) return { status, code: 'upstream_error' };
  // A 2xx/3xx "error" makes no sense as an HTTP status for the client.
  return { status: 502, type: 'upstream_error', code: 'upstream_error' };
}

function keyInvalid(details: Array<Record<string, unknown>>): boolean {
  return details.some((detail) => detail['reason'] === 'API_KEY_INVALID');
}

/** `RetryInfo.retryDelay` ("38s", "0.5s") as whole seconds for `retry-after`. */
function retryDelaySeconds(details: Array<Record<string, unknown>>): string | undefined {
  for (const detail of details) {
    const delay = detail['retryDelay'];
    const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (match?.[1] !== undefined) return String(Math.ceil(Number(match[1])));
  }
  return undefined;
}

function fallbackMessage(status: number, rawText: string): string {
  // Non-JSON bodies are usually HTML from a proxy: keep a short, single-line excerpt.
  const excerpt = rawText.replace(/\s+/g, ' ').trim().slice(0, 200);
  return excerpt === '' ? `Gemini answered HTTP ${status}.` : `Gemini answered HTTP ${status}: ${excerpt}`;
}
