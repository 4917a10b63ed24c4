import { describe, expect, it } from 'vitest';
import { mapFinishReason } from './finish-reason.js';

describe('mapFinishReason()', () => {
  it('mapFinishReason() maps STOP to stop, or tool_calls when the candidate called functions', () => {
    expect(mapFinishReason('STOP', false)).toBe('stop');
    expect(mapFinishReason('STOP', true)).toBe('tool_calls');
  });

  it('mapFinishReason() maps MAX_TOKENS to length even with tool calls', () => {
    expect(mapFinishReason('MAX_TOKENS', false)).toBe('length');
    expect(mapFinishReason('MAX_TOKENS', true)).toBe('length');
  });

  it('mapFinishReason() maps the filter family to content_filter', () => {
    for (const reason of [
      'SAFETY',
      'RECITATION',
      'BLOCKLIST',
      'PROHIBITED_CONTENT',
      'SPII',
      'IMAGE_SAFETY',
      'IMAGE_PROHIBITED_CONTENT',
      'IMAGE_RECITATION',
    ]) {
      expect(mapFinishReason(reason, false)).toBe('content_filter');
    }
  });

  it('mapFinishReason() maps tool-call failures and unknown reasons to stop', () => {
    for (const reason of [
      'MALFORMED_FUNCTION_CALL',
      'UNEXPECTED_TOOL_CALL',
      'LANGUAGE',
      'OTHER',
      'FINISH_REASON_UNSPECIFIED',
      'SOMETHING_NEW',
    ]) {
      expect(mapFinishReason(reason, false)).toBe('stop');
    }
  });
});
