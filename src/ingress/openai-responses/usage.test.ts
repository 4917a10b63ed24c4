import { describe, expect, it } from 'vitest';
import { toResponsesUsage } from './usage.js';

describe('toResponsesUsage', () => {
  it('renames the counts and keeps cached and reasoning tokens', () => {
    expect(
      toResponsesUsage({
        prompt_tokens: 212,
        completion_tokens: 40,
        total_tokens: 252,
        prompt_tokens_details: { cached_tokens: 128 },
        completion_tokens_details: { reasoning_tokens: 25 },
      }),
    ).toEqual({
      input_tokens: 212,
      input_tokens_details: { cached_tokens: 128 },
      output_tokens: 40,
      output_tokens_details: { reasoning_tokens: 25 },
      total_tokens: 252,
    });
  });

  it('fills the details with 0 and the total from the parts when a host leaves them out', () => {
    expect(toResponsesUsage({ prompt_tokens: 3, completion_tokens: 4 } as never)).toEqual({
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 4,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 7,
    });
  });
});
