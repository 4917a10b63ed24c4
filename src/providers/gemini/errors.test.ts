import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { recordingsIn } from '../../../test/helpers/recording.js';
import { mapGeminiError } from './errors.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

function map(status: number, name: string, headers: Record<string, string | undefined> = {}): GatewayError {
  const recording = recorded(name);
  expect(recording.status).toBe(status);
  return mapGeminiError({ status, body: recording.body, headers });
}

describe('mapGeminiError()', () => {
  it('mapGeminiError() turns an invalid API key (400 API_KEY_INVALID) into 401 invalid_api_key', () => {
    const error = map(400, 'api-key-invalid.error.http');
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.toJSON()).toEqual({
      error: {
        message: 'API key not valid. Please pass a valid API key.',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        param: null,
      },
    });
    expect(error).toMatchObject({ status: 401, retryable: false, failure: 'status' });
  });

  it('mapGeminiError() maps each client-side status to the same HTTP status, not retryable', () => {
    const cases: Array<[number, string, number, string, string]> = [
      [400, 'invalid-argument.error.http', 400, 'invalid_request_error', 'invalid_request'],
      [400, 'failed-precondition.error.http', 400, 'invalid_request_error', 'failed_precondition'],
      [403, 'permission-denied.error.http', 403, 'permission_error', 'permission_denied'],
      [404, 'not-found.error.http', 404, 'not_found_error', 'model_not_found'],
    ];
    for (const [upstream, name, status, type, code] of cases) {
      expect(map(upstream, name)).toMatchObject({ status, type, code, retryable: false, failure: 'status' });
    }
    expect(map(404, 'not-found.error.http').message).toContain('models/gemini-9-ultra is not found');
  });

  it('mapGeminiError() maps RESOURCE_EXHAUSTED to a retryable 429 with retry-after from RetryInfo', () => {
    const error = map(429, 'resource-exhausted.error.http');
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', retryable: true });
    expect(error.headers).toEqual({ 'retry-after': '38' });
  });

  it('mapGeminiError() maps server-side statuses to retryable 502, 503 and 504', () => {
    expect(map(500, 'internal.error.http')).toMatchObject({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_error',
      retryable: true,
    });
    expect(map(503, 'unavailable.error.http')).toMatchObject({ status: 503, type: 'service_unavailable_error', retryable: true });
    expect(map(504, 'deadline-exceeded.error.http')).toMatchObject({ status: 504, type: 'timeout_error', retryable: true });
  });

  it('mapGeminiError() reads array-wrapped bodies and falls back to the retry-after header', () => {
    const error = map(429, 'array-wrapped.error.http', { 'retry-after': '7' });
    expect(error).toMatchObject({ status: 429, message: 'Resource has been exhausted (e.g. check quota).', retryable: true });
    expect(error.headers).toEqual({ 'retry-after': '7' });
  });

  it('mapGeminiError() tolerates non-JSON bodies, keeping a short excerpt', () => {
    const error = mapGeminiError({ status: 502, body: '<html>\n<body>Bad Gateway</body>\n</html>', headers: {} });
    expect(error).toMatchObject({ status: 502, retryable: true, failure: 'status' });
    expect(error.message).toBe('Gemini answered HTTP 502: <html> <body>Bad Gateway</body> </html>');
    expect(mapGeminiError({ status: 500, body: '', headers: {} }).message).toBe('Gemini answered HTTP 500.');
  });
});
