/**
 * Upstream error answers → GatewayError. OpenAI-compatible hosts disagree on the body: OpenAI and
 * Groq nest `{"error":{…}}`, Mistral and older vLLM are flat `{"object":"error","message",…}`
 * (Mistral's 422 puts a validation object in `message`), some return `[{"error":…}]`, Ollama
 * `{"error":"text"}`, FastAPI servers `{"detail":…}`, and proxies in front of them HTML pages.
 *
 * @see docs/providers.md §1.6, §4.2, §4.7
 */
import { GatewayError, RETRYABLE_STATUSES } from '../../errors.js';
import type { UpstreamErrorResponse } from '../provider.js';
import { isRecord } from '../../lib/is-record.js';
import { headerValue } from '../../lib/header-value.js';

/** Longest upstream text quoted in a message: enough to diagnose, short enough for a log line. */
const MAX_MESSAGE_LENGTH = 500;

interface ErrorFields {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
}

/** Maps a non-2xx upstream answer to a GatewayError (4xx passed through, 5xx → 502 `upstream_error`). */
export function mapError(response: UpstreamErrorResponse): GatewayError {
  const { status } = response;
  const fields = readErrorFields(response.body);
  const retryAfter = headerValue(response.headers, 'retry-after');
  const headers = retryAfter === undefined ? undefined : { 'retry-after': retryAfter };
  const retryable = RETRYABLE_STATUSES.has(status);

  if (status >= 400 && status < 500) {
    return new GatewayError({
      status,
      message: fields.message ?? `The upstream refused the request with status ${status}.`,
      type: fields.type,
      code: fields.code ?? null,
      param: fields.param ?? null,
      retryable,
      failure: 'status',
      headers,
    });
  }
  // The client cannot act on the upstream's 5xx code, but the status helps whoever reads the message.
  return new GatewayError({
    status: 502,
    message: `Upstream returned ${status}: ${fields.message ?? 'no error details'}`,
    type: fields.type,
    code: 'upstream_error',
    param: fields.param ?? null,
    retryable,
    failure: 'status',
    headers,
  });
}

/**
 * A 2xx answer that breaks the protocol (not a completion, bad JSON, an error event mid-stream).
 * Retryable: the request was accepted, so another model may well succeed where this one broke.
 */
export function upstreamProtocolError(message: string, cause?: unknown): GatewayError {
  return new GatewayError({
    status: 502,
    code: 'upstream_error',
    message,
    failure: 'protocol',
    retryable: true,
    cause,
  });
}

/** Reads the message of an error object in any of the shapes above (used for mid-stream errors too). */
export function readErrorFields(body: unknown): ErrorFields {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return { message: plainTextMessage(body), type: undefined, code: undefined, param: undefined };
    }
  }
  if (Array.isArray(parsed)) parsed = parsed[0];
  if (typeof parsed === 'string')
    return { message: plainTextMessage(parsed), type: undefined, code: undefined, param: undefined };
  if (!isRecord(parsed)) return { message: undefined, type: undefined, code: undefined, param: undefined };

  const nested = parsed.error;
  if (typeof nested === 'string') {
    return { message: plainTextMessage(nested), type: undefined, code: undefined, param: undefined };
  }
  const source = isRecord(nested) ? nested : parsed;
  return {
    message: describe(source.message) ?? describe(source.detail),
    type: typeof source.type === 'string' && source.type !== '' ? source.type : undefined,
    code: typeof source.code === 'string' || typeof source.code === 'number' ? String(source.code) : undefined,
    param: typeof source.param === 'string' ? source.param : undefined,
  };
}

/** A message field may be text or (Mistral's 422, FastAPI's `detail`) a structured validation report. */
function describe(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : truncate(value);
  if (value === undefined || value === null) return undefined;
  try {
    return truncate(JSON.stringify(value));
  } catch {
    // Too deeply nested to print: say so rather than fail while reporting a failure.
    return 'The provider sent an error whose message could not be read.';
  }
}

/** Non-JSON bodies: quote short text; an HTML error page from a proxy says nothing useful. */
function plainTextMessage(text: string): string | undefined {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed === '' || trimmed.startsWith('<')) return undefined;
  return truncate(trimmed);
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}
