/**
 * The one error type of Z-AI. Every layer throws it; the single HTTP error handler renders it in
 * OpenAI's shape: `{"error": {"message", "type", "code", "param"}}`.
 *
 * It lives at the root of `src/` because every layer (providers included) may throw it, while
 * providers must not import `http/`.
 */

/** OpenAI's error `type` values that Z-AI emits. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'insufficient_quota'
  | 'rate_limit_error'
  | 'server_error'
  | 'service_unavailable_error'
  | 'timeout_error'
  | 'upstream_error';

/** Why an upstream attempt failed; drives fallback decisions and metrics. */
export type FailureClass = 'connect' | 'timeout' | 'status' | 'reset' | 'protocol';

export interface GatewayErrorOptions {
  status: number;
  message: string;
  type?: ErrorType | string;
  code?: string | null;
  param?: string | null;
  /** Upstream attempts only: whether another model may be tried (outage, timeout, rate limit). */
  retryable?: boolean;
  /** Upstream attempts only: how the attempt failed. */
  failure?: FailureClass;
  /** Extra response headers, e.g. `retry-after`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** Default `type` for a status, following OpenAI's conventions. */
function defaultType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** An error with an HTTP status and an OpenAI-shaped body. */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryable: boolean;
  readonly failure: FailureClass | undefined;
  readonly headers: Record<string, string>;

  constructor(options: GatewayErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.status = options.status;
    this.type = options.type ?? defaultType(options.status);
    this.code = options.code ?? null;
    this.param = options.param ?? null;
    this.retryable = options.retryable ?? false;
    this.failure = options.failure;
    this.headers = options.headers ?? {};
  }

  /** The OpenAI-shaped body. */
  toJSON(): { error: { message: string; type: string; code: string | null; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

/** 400 `invalid_request` naming the offending field. */
export function invalidRequest(message: string, param: string | null = null): GatewayError {
  return new GatewayError({ status: 400, message, code: 'invalid_request', param });
}

/** 413: the request body is over `ZAI_MAX_BODY_BYTES`. */
export function requestTooLarge(): GatewayError {
  return new GatewayError({ status: 413, code: 'request_too_large', message: 'The request body is larger than the limit.' });
}

/** 404 for an ID that does not exist or belongs to another account (the two are indistinguishable). */
export function notFound(what: string): GatewayError {
  return new GatewayError({ status: 404, message: `${what} not found.`, code: 'not_found' });
}

/** Statuses after which another model may be tried: the request itself was fine. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504, 529]);
