import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors.js';
import { anthropicErrorAnswer, anthropicErrorEvent, anthropicErrorType, anthropicStatus } from './errors.js';

describe('Anthropic error shape', () => {
  it('gives each status Anthropic’s error type, answering 503 as 529', () => {
    const cases: Array<[number, number, string]> = [
      [400, 400, 'invalid_request_error'],
      [401, 401, 'authentication_error'],
      [402, 402, 'billing_error'],
      [403, 403, 'permission_error'],
      [404, 404, 'not_found_error'],
      [413, 413, 'request_too_large'],
      [415, 415, 'invalid_request_error'],
      [429, 429, 'rate_limit_error'],
      [500, 500, 'api_error'],
      [502, 502, 'api_error'],
      [503, 529, 'overloaded_error'],
      [504, 504, 'timeout_error'],
    ];
    for (const [status, answered, type] of cases) {
      expect([anthropicStatus(status), anthropicErrorType(status)]).toEqual([answered, type]);
    }
  });

  it('renders a JSON answer with the request id and the error’s headers', () => {
    const error = new GatewayError({
      status: 429,
      message: 'Slow down.',
      code: 'rate_limit_exceeded',
      headers: { 'retry-after': '3' },
    });
    expect(anthropicErrorAnswer(error, 'req_1')).toEqual({
      status: 429,
      headers: { 'retry-after': '3' },
      body: '{"type":"error","error":{"type":"rate_limit_error","message":"Slow down."},"request_id":"req_1"}',
    });
  });

  it('renders an error event for a stream', () => {
    const error = new GatewayError({ status: 503, message: 'Overloaded' });
    expect(anthropicErrorEvent(error)).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });
});
