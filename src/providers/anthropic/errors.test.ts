import { describe, expect, it } from 'vitest';
import { anthropicStreamError, mapAnthropicError, retryAfterFromResets } from './errors.js';

function body(type: string, message: string): string {
  return JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' });
}

describe('mapAnthropicError()', () => {
  it.each([
    [400, 'invalid_request_error', 400, 'invalid_request_error', null, false],
    [401, 'authentication_error', 401, 'authentication_error', 'invalid_api_key', false],
    [403, 'permission_error', 403, 'permission_error', null, false],
    [404, 'not_found_error', 404, 'not_found_error', null, false],
    [413, 'request_too_large', 413, 'invalid_request_error', 'request_too_large', false],
    [500, 'api_error', 502, 'upstream_error', 'upstream_error', true],
    [504, 'timeout_error', 504, 'timeout_error', 'upstream_timeout', true],
    [529, 'overloaded_error', 503, 'service_unavailable_error', 'upstream_overloaded', true],
  ])('mapAnthropicError() maps HTTP %i %s to %i', (status, anthropicType, mapped, type, code, retryable) => {
    const error = mapAnthropicError({ status, body: body(anthropicType, 'Upstream says no.'), headers: {} });
    expect(error).toMatchObject({ status: mapped, type, code, retryable, failure: 'status', message: 'Upstream says no.' });
    expect(error.toJSON()).toEqual({ error: { message: 'Upstream says no.', type, code, param: null } });
  });

  it('mapAnthropicError() keeps retry-after on a retryable 429', () => {
    const error = mapAnthropicError({
      status: 429,
      body: body('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'),
      headers: { 'Retry-After': '17', 'anthropic-ratelimit-tokens-remaining': '0' },
    });
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true });
    expect(error.headers).toEqual({ 'retry-after': '17' });
  });

  it('mapAnthropicError() derives retry-after from the exhausted limit when a 429 has none', () => {
    const reset = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
    const error = mapAnthropicError({
      status: 429,
      body: body('rate_limit_error', 'Number of requests has exceeded your per-minute rate limit.'),
      headers: {
        'anthropic-ratelimit-requests-remaining': '0',
        'anthropic-ratelimit-requests-reset': reset(20),
        'anthropic-ratelimit-tokens-remaining': '39000',
        'anthropic-ratelimit-tokens-reset': reset(55),
      },
    });
    expect(Number(error.headers['retry-after'])).toBeGreaterThanOrEqual(19);
    expect(Number(error.headers['retry-after'])).toBeLessThanOrEqual(20);
    // Only a 429 says "wait for your limit"; an outage does not.
    const overloaded = mapAnthropicError({
      status: 529,
      body: body('overloaded_error', 'Overloaded'),
      headers: { 'anthropic-ratelimit-requests-reset': reset(20) },
    });
    expect(overloaded.headers).toEqual({});
  });

  it('retryAfterFromResets() picks the exhausted limit, else the latest reset, and ignores bad dates', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    expect(
      retryAfterFromResets(
        {
          'Anthropic-RateLimit-Input-Tokens-Remaining': '0',
          'Anthropic-RateLimit-Input-Tokens-Reset': '2026-01-31T12:00:07Z',
          'anthropic-ratelimit-requests-reset': '2026-01-31T12:00:59Z',
        },
        now,
      ),
    ).toBe('7');
    expect(
      retryAfterFromResets(
        {
          'anthropic-ratelimit-requests-reset': '2026-01-31T12:00:03.2Z',
          'anthropic-ratelimit-tokens-reset': '2026-01-31T12:00:09Z',
        },
        now,
      ),
    ).toBe('9');
    expect(retryAfterFromResets({ 'anthropic-ratelimit-tokens-reset': '2026-01-31T11:59:00Z' }, now)).toBe('0');
    expect(retryAfterFromResets({ 'anthropic-ratelimit-tokens-reset': 'soon' }, now)).toBeUndefined();
    expect(retryAfterFromResets({}, now)).toBeUndefined();
  });

  it('mapAnthropicError() prefers the body type over the status (overloaded as 500)', () => {
    const error = mapAnthropicError({ status: 500, body: body('overloaded_error', 'Overloaded'), headers: {} });
    expect(error).toMatchObject({ status: 503, retryable: true });
  });

  it('mapAnthropicError() maps a non-JSON body by status alone', () => {
    const overloaded = mapAnthropicError({ status: 529, body: '<html>Overloaded</html>', headers: {} });
    expect(overloaded).toMatchObject({
      status: 503,
      type: 'service_unavailable_error',
      retryable: true,
      message: 'Anthropic answered HTTP 529 without an error message.',
    });
    expect(mapAnthropicError({ status: 502, body: 'Bad Gateway', headers: {} })).toMatchObject({
      status: 502,
      type: 'upstream_error',
      retryable: true,
    });
    expect(mapAnthropicError({ status: 413, body: '', headers: {} })).toMatchObject({ status: 413, retryable: false });
    expect(mapAnthropicError({ status: 408, body: '', headers: {} })).toMatchObject({ status: 408, retryable: true });
    expect(mapAnthropicError({ status: 422, body: '{}', headers: {} })).toMatchObject({
      status: 422,
      type: 'invalid_request_error',
      retryable: false,
    });
  });
});

describe('anthropicStreamError()', () => {
  it('anthropicStreamError() maps stream error events like HTTP errors with failure protocol', () => {
    expect(anthropicStreamError({ type: 'overloaded_error', message: 'Overloaded' })).toMatchObject({
      status: 503,
      retryable: true,
      failure: 'protocol',
    });
    expect(anthropicStreamError({ type: 'mystery_error' })).toMatchObject({
      status: 502,
      type: 'upstream_error',
      retryable: true,
      failure: 'protocol',
    });
  });
});
