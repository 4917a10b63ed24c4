import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { mapError } from './errors.js';

function map(status: number, body: string, headers: Record<string, string | undefined> = {}): GatewayError {
  return mapError({ status, body, headers });
}

describe('mapError', () => {
  it('mapError() passes an OpenAI 4xx through with its message, type, code and param', () => {
    const error = map(
      400,
      '{"error":{"message":"Bad temperature","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}',
    );
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      status: 400,
      message: 'Bad temperature',
      type: 'invalid_request_error',
      code: 'invalid_value',
      param: 'temperature',
      retryable: false,
      failure: 'status',
    });
  });

  it('mapError() marks 429 retryable and copies retry-after', () => {
    const error = map(429, '{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":"rate_limit_exceeded"}}', {
      'retry-after': '12',
    });
    expect(error).toMatchObject({ status: 429, retryable: true, code: 'rate_limit_exceeded', headers: { 'retry-after': '12' } });
  });

  it('mapError() reads the retry-after header case-insensitively and omits it when absent', () => {
    expect(map(429, '{}', { 'Retry-After': '3' }).headers).toEqual({ 'retry-after': '3' });
    expect(map(429, '{}').headers).toEqual({});
  });

  it("mapError() reads Mistral's flat error, including a numeric-string code", () => {
    const error = map(
      400,
      '{"object":"error","message":"Tool call id was call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9.","type":"invalid_request_error","param":null,"code":"3280"}',
    );
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: '3280', param: null });
    expect(error.message).toMatch(/^Tool call id was/);
  });

  it('mapError() serialises a structured validation message', () => {
    const error = map(
      422,
      '{"object":"error","message":{"detail":[{"type":"extra_forbidden","loc":["body","user"],"msg":"Extra inputs are not permitted"}]},"type":"invalid_request_error","param":null,"code":null}',
    );
    expect(error.status).toBe(422);
    expect(error.message).toContain('Extra inputs are not permitted');
    expect(error.code).toBeNull();
  });

  it("mapError() reads an array of errors, Ollama's string error and a FastAPI detail", () => {
    expect(map(400, '[{"error":{"message":"Bad","status":"INVALID_ARGUMENT","code":400}}]')).toMatchObject({
      message: 'Bad',
      code: '400',
    });
    expect(map(404, '{"error":"model \\"llama9\\" not found, try pulling it first"}')).toMatchObject({
      status: 404,
      message: 'model "llama9" not found, try pulling it first',
      type: 'not_found_error',
    });
    expect(map(404, '{"detail":"Not Found"}').message).toBe('Not Found');
  });

  it('mapError() quotes a short plain-text body and ignores an HTML page', () => {
    expect(map(401, 'Unauthorized\n')).toMatchObject({ status: 401, message: 'Unauthorized', type: 'authentication_error' });
    expect(map(403, '<html><body>Forbidden</body></html>').message).toBe('The upstream refused the request with status 403.');
  });

  it('mapError() turns a 5xx into a retryable 502 upstream_error naming the upstream status', () => {
    const error = map(
      503,
      '{"error":{"message":"Engine overloaded","type":"service_unavailable_error","code":"server_is_overloaded"}}',
      { 'retry-after': '1' },
    );
    expect(error).toMatchObject({
      status: 502,
      code: 'upstream_error',
      type: 'service_unavailable_error',
      message: 'Upstream returned 503: Engine overloaded',
      retryable: true,
      failure: 'status',
      headers: { 'retry-after': '1' },
    });
    expect(map(502, '<html>Bad gateway</html>').message).toBe('Upstream returned 502: no error details');
  });

  it('mapError() marks exactly 408, 429, 500, 502, 503, 504 and 529 retryable', () => {
    const retryable = [400, 401, 403, 404, 408, 409, 422, 429, 500, 501, 502, 503, 504, 529].filter(
      (status) => map(status, '').retryable,
    );
    expect(retryable).toEqual([408, 429, 500, 502, 503, 504, 529]);
  });

  it('mapError() truncates a very long message', () => {
    expect(map(400, 'x'.repeat(5000)).message.length).toBeLessThanOrEqual(501);
  });
});
