import { describe, expect, it } from 'vitest';
import { toFinishReason } from './finish-reason.js';

describe('toFinishReason()', () => {
  it('toFinishReason() maps every documented stop reason', () => {
    expect(toFinishReason('end_turn', false)).toBe('stop');
    expect(toFinishReason('stop_sequence', false)).toBe('stop');
    expect(toFinishReason('max_tokens', false)).toBe('length');
    expect(toFinishReason('model_context_window_exceeded', false)).toBe('length');
    expect(toFinishReason('tool_use', true)).toBe('tool_calls');
    expect(toFinishReason('refusal', false)).toBe('content_filter');
    expect(toFinishReason('pause_turn', false)).toBe('stop');
  });

  it('toFinishReason() maps tool_use without client tool calls (response_format) to stop', () => {
    expect(toFinishReason('tool_use', false)).toBe('stop');
  });

  it('toFinishReason() maps unknown and missing reasons to stop', () => {
    expect(toFinishReason('something_new', false)).toBe('stop');
    expect(toFinishReason(null, false)).toBe('stop');
    expect(toFinishReason(undefined, true)).toBe('stop');
  });
});
