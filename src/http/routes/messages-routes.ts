/**
 * Anthropic's Messages API (`/v1/messages`, `/v1/messages/count_tokens`), for Claude Code and the
 * Anthropic SDKs. Thin like the OpenAI routes: authenticate the Z-AI key (Anthropic clients send it
 * as `x-api-key`, or as `Authorization: Bearer` with an auth token), hand the body to the ingress,
 * send what it answers. Errors are rendered in Anthropic's shape by the one error handler.
 * `?beta=true` (which Claude Code appends) and `anthropic-version` need nothing: routes match
 * without the query, and the version has one value.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import { countTokens } from '../../ingress/anthropic-messages/count-tokens.js';
import { createMessage } from '../../ingress/anthropic-messages/messages.js';
import type { ApiKeys, KeyAuth } from '../../keys/api-keys.js';
import type { Services } from '../../services.js';
import { authenticateApiKey, invalidKey } from '../api-key-auth.js';
import { bodyContext, gatewayContext, sendAnswer } from './v1-routes.js';

/** Comma-separated beta flags: letters, digits, dots, dashes, underscores. */
const BETA_FLAGS = /^[A-Za-z0-9._-]+(\s*,\s*[A-Za-z0-9._-]+)*$/;

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/** The Z-AI key from `x-api-key`, else from `Authorization: Bearer`. */
async function authenticate(keys: ApiKeys, request: FastifyRequest): Promise<KeyAuth> {
  const apiKey = singleHeader(request.headers['x-api-key'])?.trim();
  if (apiKey === undefined || apiKey === '') {
    if (request.headers.authorization === undefined) {
      throw invalidKey('Missing API key: send "x-api-key: zai-…" or "Authorization: Bearer zai-…".');
    }
    return authenticateApiKey(keys, request.headers.authorization);
  }
  const auth = await keys.authenticate(apiKey);
  if (auth === undefined || auth.revoked) throw invalidKey('Incorrect or revoked Z-AI key.');
  return auth;
}

/** `anthropic-beta`, checked so only flag lists reach an upstream. */
function betaHeader(request: FastifyRequest): string | undefined {
  const value = singleHeader(request.headers['anthropic-beta'])?.trim();
  if (value === undefined || value === '') return undefined;
  if (value.length > 2000 || !BETA_FLAGS.test(value)) {
    throw new GatewayError({
      status: 400,
      code: 'invalid_request',
      message: 'anthropic-beta: must be a comma-separated list of beta names.',
    });
  }
  return value;
}

export function messagesRoutes(app: FastifyInstance, services: Services): void {
  app.post('/v1/messages', async (request, reply) => {
    const startedAt = performance.now();
    // Anthropic's SDKs read the request id of an answer from this header.
    void reply.header('request-id', String(request.id));
    const anthropicBeta = betaHeader(request);
    const auth = await authenticate(services.keys, request);
    const ctx = bodyContext(request, reply, auth, startedAt);
    return sendAnswer(reply, await createMessage(services.gateway, ctx, request.body, { anthropicBeta }));
  });

  app.post('/v1/messages/count_tokens', async (request, reply) => {
    const startedAt = performance.now();
    void reply.header('request-id', String(request.id));
    const anthropicBeta = betaHeader(request);
    const auth = await authenticate(services.keys, request);
    const ctx = gatewayContext(request, reply, auth, startedAt);
    const forward: Record<string, string> = anthropicBeta === undefined ? {} : { 'anthropic-beta': anthropicBeta };
    return sendAnswer(reply, await countTokens(services.gateway, ctx, request.body, forward));
  });
}
