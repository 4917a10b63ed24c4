import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { SseParser } from '../providers/sse-parser.js';
import { SSE_DONE, SSE_HEADERS, SSE_KEEPALIVE, encodeSseData, encodeSseError, encodeSseEvent } from './sse-encoder.js';

const encoder = new TextEncoder();

describe('encodeSseData', () => {
  it('encodeSseData() frames JSON as one data line and a blank line', () => {
    expect(encodeSseData('{"a":"b\\nc"}')).toBe('data: {"a":"b\\nc"}\n\n');
  });

  it('encodeSseData() round-trips through SseParser', () => {
    const json = JSON.stringify({ content: 'line one\nline two\r\n°C 🌥' });
    const parser = new SseParser();
    const events = [...parser.push(encoder.encode(encodeSseData(json) + SSE_KEEPALIVE + SSE_DONE)), ...parser.end()];
    expect(events.map((event) => event.data)).toEqual([json, '[DONE]']);
  });

  it('encodeSseData() refuses a payload containing CR or LF', () => {
    expect(() => encodeSseData('{\n}')).toThrow(GatewayError);
    expect(() => encodeSseData('{\r}')).toThrow(/line breaks/);
  });
});

describe('encodeSseEvent', () => {
  it('encodeSseEvent() writes the event line before the data line, and round-trips through SseParser', () => {
    const json = JSON.stringify({ type: 'ping' });
    expect(encodeSseEvent('ping', json)).toBe('event: ping\ndata: {"type":"ping"}\n\n');
    const parser = new SseParser();
    const events = [...parser.push(encoder.encode(encodeSseEvent('ping', json))), ...parser.end()];
    expect(events).toEqual([{ event: 'ping', data: json, id: undefined }]);
  });

  it('encodeSseEvent() refuses a name or payload containing a line break', () => {
    expect(() => encodeSseEvent('a\nb', '{}')).toThrow(/line breaks/);
    expect(() => encodeSseEvent('ping', '{\n}')).toThrow(/line breaks/);
  });
});

describe('encodeSseError', () => {
  it('encodeSseError() writes an OpenAI error object under a top-level error key', () => {
    const error = new GatewayError({ status: 502, message: 'Upstream went away', code: 'upstream_error', param: 'x' });
    const frame = encodeSseError(error);
    expect(frame.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(frame.slice('data: '.length))).toEqual({
      error: { message: 'Upstream went away', type: 'server_error', code: 'upstream_error', param: 'x' },
    });
  });
});

describe('SSE constants', () => {
  it('SSE_DONE, SSE_KEEPALIVE and SSE_HEADERS have the wire values', () => {
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
    expect(SSE_KEEPALIVE).toBe(': keep-alive\n\n');
    expect(SSE_HEADERS).toEqual({
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    expect(Object.isFrozen(SSE_HEADERS)).toBe(true);
  });
});
