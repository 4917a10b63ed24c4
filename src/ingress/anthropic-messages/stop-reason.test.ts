import { describe, expect, it } from 'vitest';
import { toStop } from './stop-reason.js';

describe('toStop', () => {
  it('maps each finish reason, and a stop with tool calls to tool_use', () => {
    const reason = (finish: Parameters<typeof toStop>[0], tools: boolean) => toStop(finish, tools, undefined, []).stop_reason;
    expect(reason('stop', false)).toBe('end_turn');
    expect(reason('stop', true)).toBe('tool_use');
    expect(reason('length', false)).toBe('max_tokens');
    expect(reason('tool_calls', true)).toBe('tool_use');
    expect(reason('function_call', true)).toBe('tool_use');
    expect(reason('content_filter', false)).toBe('refusal');
    expect(reason(null, false)).toBe('end_turn');
    expect(reason(undefined, true)).toBe('tool_use');
  });

  it('reports the stop sequence a host names (vLLM’s stop_reason) when the request asked for it', () => {
    expect(toStop('stop', false, '###', ['###', 'END'])).toEqual({ stop_reason: 'stop_sequence', stop_sequence: '###' });
    // A token id or a sequence the client never sent proves nothing.
    expect(toStop('stop', false, 128009, ['###'])).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(toStop('stop', false, 'other', ['###'])).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(toStop('length', false, '###', ['###'])).toEqual({ stop_reason: 'max_tokens', stop_sequence: null });
  });
});
