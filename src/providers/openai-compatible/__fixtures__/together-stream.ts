/**
 * Together: OpenAI's boolean `logprobs` becomes Together's integer, and the stream ends with
 * `finish_reason: "eos"` on a chunk that also carries usage (docs/providers.md §4.3).
 * Written for Z-AI's tests, not captured traffic.
 */
import type { ChatCompletionRequest } from '../../../openai/types.js';
import { recordingsIn } from '../../../../test/helpers/recording.js';

const recorded = recordingsIn(new URL('./', import.meta.url));

export const TOGETHER_REQUEST: ChatCompletionRequest = {
  model: 'together/meta-llama/Llama-3.3-70B-Instruct-Turbo',
  messages: [{ role: 'user', content: 'Say hi' }],
  logprobs: true,
  top_logprobs: 3,
  max_completion_tokens: 16,
  top_k: 40,
  stream: true,
};

export const TOGETHER_UPSTREAM_BODY = {
  model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
  messages: [{ role: 'user', content: 'Say hi' }],
  logprobs: 3,
  top_k: 40,
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 16,
};

export const TOGETHER_STREAM = recorded('together-eos.stream.http').body;

const base = {
  id: '8f3a',
  object: 'chat.completion.chunk',
  created: 1767225900,
  model: 'together/meta-llama/Llama-3.3-70B-Instruct-Turbo',
} as const;

/**
 * Without include_usage: no chunk carries usage, and `eos` reads `stop`. Typed as plain JSON because
 * Together's extra fields (`tool_calls: null`) are passed through untouched, outside OpenAI's types.
 */
export const TOGETHER_EXPECTED_CHUNKS: unknown[] = [
  {
    ...base,
    choices: [
      {
        index: 0,
        text: 'Hi',
        logprobs: null,
        finish_reason: null,
        seed: null,
        delta: { token_id: 13347, role: 'assistant', content: 'Hi', tool_calls: null },
      },
    ],
  },
  {
    ...base,
    choices: [
      {
        index: 0,
        text: '!',
        logprobs: null,
        finish_reason: 'stop',
        seed: 7781,
        delta: { token_id: 0, role: 'assistant', content: '!', tool_calls: null },
      },
    ],
  },
];
