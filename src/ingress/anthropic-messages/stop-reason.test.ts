import { describe, expect, it } from 'vitest';
import { toStopReason } from './stop-reason.js';

describe('toStopReason', () => {
  it('maps each finish reason, and a stop with tool calls to tool_use', () => {
    expect(toStopReason('stop', false)).toBe('end_turn');
    expect(toStopReason('stop', true)).toBe('tool_use');
    expect(toStopReason('length', false)).toBe('max_tokens');
    expect(toStopReason('tool_calls', true)).toBe('tool_use');
    expect(toStopReason('function_call', true)).toBe('tool_use');
    expect(toStopReason('content_filter', false)).toBe('refusal');
    expect(toStopReason(null, false)).toBe('end_turn');
    expect(toStopReason(undefined, true)).toBe('tool_use');
  });
});
