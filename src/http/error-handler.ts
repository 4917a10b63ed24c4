/**
 * The single error handler: every error on every route is rendered here, in OpenAI's shape, or in
 * Anthropic's on the Messages ingress.
 * Framework errors (bad JSON, body too large, wrong content type) become GatewayErrors first.
 */
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, requestTooLarge } from '../errors.js';
import type { JsonAnswer } from '../gateway/request-context.js';
import { anthropicErrorAnswer } from '../ingress/anthropic-messages/errors.js';
import { isStorageFailure, storageUnavailable } from '../store/storage-error.js';
import { JSON_CONTENT_TYPE } from './json-body.js';

function fromFrameworkError(err: FastifyError): GatewayError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return requestTooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError({
        status: 415,
        code: 'unsupported_media_type',
        message: 'Send the body as JSON with content-type: application/json.',
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError({
        status: 400,
        code: 'invalid_request',
        message: 'The request body is empty; send a JSON object.',
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError({
        status: 400,
        code: 'invalid_request',
        message: 'The content-length header does not match the body.',
      });
    default:
      break;
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return new GatewayError({
      status: 400,
      code: 'invalid_request',
      message: `The request body is not valid JSON: ${err.message}`,
    });
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new GatewayError({ status: err.statusCode, code: 'invalid_request', message: err.message });
  }
  return undefined;
}

/** Whatever was thrown → the GatewayError the client sees; unexpected errors are logged here. */
export function toGatewayError(err: unknown, log: Pick<FastifyBaseLogger, 'error' | 'warn'>, requestId: string): GatewayError {
  let error =
    err instanceof GatewayError
      ? err
      : isStorageFailure(err)
        ? storageUnavailable(err)
        : err instanceof Error
          ? fromFrameworkError(err as FastifyError)
          : undefined;
  if (error === undefined) {
    // Unexpected: log it with the request id; the client gets no internals.
    log.error({ reqId: requestId, err }, 'unhandled error');
    error = new GatewayError({ status: 500, code: 'internal_error', message: `Internal error (request ${requestId}).` });
  } else if (error.status >= 500) {
    log.warn({ reqId: requestId, status: error.status, code: error.code, failure: error.failure }, error.message);
  }
  return error;
}

/** The answer an error renders as (OpenAI's shape), for Fastify and the fast path alike. */
export function errorAnswer(error: GatewayError): JsonAnswer {
  return { status: error.status, headers: error.headers, body: JSON.stringify(error.toJSON()) };
}

/** Paths of the Anthropic Messages ingress, whose errors have Anthropic's shape. */
const MESSAGES_PATH = /^\/v1\/messages(?:[/?]|$)/;

/** The error in the shape of the API its path belongs to: Anthropic's on `/v1/messages`, else OpenAI's. */
export function errorAnswerFor(error: GatewayError, url: string, requestId: string): JsonAnswer {
  return MESSAGES_PATH.test(url) ? anthropicErrorAnswer(error, requestId) : errorAnswer(error);
}

export function errorHandler(err: FastifyError | GatewayError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const error = toGatewayError(err, request.log, String(request.id));
  if (reply.sent || reply.raw.headersSent) {
    // A streamed answer already committed: nothing can be rendered any more.
    reply.raw.destroy();
    return;
  }
  const answer = errorAnswerFor(error, request.url, String(request.id));
  void reply.code(answer.status).headers(answer.headers).type(JSON_CONTENT_TYPE).send(answer.body);
}

/** 404 for unknown routes, in the same shape. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const answer = errorAnswerFor(
    new GatewayError({
      status: 404,
      code: 'not_found',
      message: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    }),
    request.url,
    String(request.id),
  );
  void reply.code(answer.status).type(JSON_CONTENT_TYPE).send(answer.body);
}
