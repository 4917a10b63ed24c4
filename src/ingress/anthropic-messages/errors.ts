/**
 * GatewayErrors in Anthropic's shape — `{"type":"error","error":{"type","message"},"request_id"}` —
 * with the status Anthropic uses for each kind, so the Anthropic SDKs raise their matching error
 * classes (BadRequestError, AuthenticationError, PaymentRequiredError, PermissionDeniedError,
 * NotFoundError, ContentTooLargeError, RateLimitError, InternalServerError, OverloadedError…).
 *
 * The status keeps its meaning, with one change: 503 (a provider overloaded or unavailable, or
 * Z-AI's own storage briefly unreachable) is answered as Anthropic's 529 `overloaded_error`, the
 * status Anthropic clients know to wait on and retry.
 *
 * @see https://docs.claude.com/en/api/errors
 */
import type { GatewayError } from '../../errors.js';
import type { JsonAnswer } from '../../gateway/request-context.js';
import { encodeSseEvent } from '../../openai/sse-encoder.js';

const TYPE_BY_STATUS: ReadonlyMap<number, string> = new Map([
  [400, 'invalid_request_error'],
  [401, 'authentication_error'],
  [402, 'billing_error'],
  [403, 'permission_error'],
  [404, 'not_found_error'],
  [413, 'request_too_large'],
  [429, 'rate_limit_error'],
  [500, 'api_error'],
  [504, 'timeout_error'],
  [529, 'overloaded_error'],
]);

/** The status an Anthropic client sees for a GatewayError's status. */
export function anthropicStatus(status: number): number {
  return status === 503 ? 529 : status;
}

/** Anthropic's error type for a status; other 4xx are invalid requests, other 5xx API errors. */
export function anthropicErrorType(status: number): string {
  return TYPE_BY_STATUS.get(anthropicStatus(status)) ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

function errorObject(error: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}

/** The answer an error renders as on `/v1/messages` (headers such as `retry-after` kept). */
export function anthropicErrorAnswer(error: GatewayError, requestId: string): JsonAnswer {
  const body = Object.assign(errorObject(error), { request_id: requestId });
  return { status: anthropicStatus(error.status), headers: error.headers, body: JSON.stringify(body) };
}

/** An error after the first byte of a stream: Anthropic's `error` event, on which its SDKs throw. */
export function anthropicErrorEvent(error: GatewayError): string {
  return encodeSseEvent('error', JSON.stringify(errorObject(error)));
}
