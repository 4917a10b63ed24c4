import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Services } from '../services.js';
import { v1FastPath } from './v1-fast-path.js';

// Only the routing decision is under test here; test/e2e/fast-path.test.ts compares the answers.
const services = { config: { maxBodyBytes: 1024 } } as unknown as Services;
const fastPath = v1FastPath(services, pino({ enabled: false }));

function request(method: string, url: string, headers: Record<string, string>): IncomingMessage {
  return Object.assign(new PassThrough(), { method, url, headers }) as unknown as IncomingMessage;
}

const res = {} as ServerResponse;
const json = { 'content-type': 'application/json', authorization: 'Bearer zai-x' };

describe('v1FastPath', () => {
  it('takes POST /v1/chat/completions and /v1/embeddings with a JSON body', () => {
    expect(fastPath(request('POST', '/v1/chat/completions', json), res)).toBe(true);
    expect(fastPath(request('POST', '/v1/embeddings', json), res)).toBe(true);
    expect(
      fastPath(request('POST', '/v1/chat/completions', { ...json, 'content-type': 'application/json; charset=utf-8' }), res),
    ).toBe(true);
  });

  it('leaves everything else to Fastify: CORS, other methods, URLs and content types', () => {
    expect(fastPath(request('POST', '/v1/chat/completions', { ...json, origin: 'https://app.example.com' }), res)).toBe(false);
    expect(fastPath(request('OPTIONS', '/v1/chat/completions', json), res)).toBe(false);
    expect(fastPath(request('GET', '/v1/models', json), res)).toBe(false);
    expect(fastPath(request('POST', '/v1/chat/completions?x=1', json), res)).toBe(false);
    expect(fastPath(request('POST', '/v1/chat/completions/', json), res)).toBe(false);
    expect(fastPath(request('POST', '/api/keys', json), res)).toBe(false);
    expect(fastPath(request('POST', '/v1/chat/completions', { ...json, 'content-type': 'text/plain' }), res)).toBe(false);
    expect(fastPath(request('POST', '/v1/chat/completions', { authorization: 'Bearer zai-x' }), res)).toBe(false);
  });
});
