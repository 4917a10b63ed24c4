/**
 * Groq: a request with parameters Groq rejects, and a stream whose usage arrives in `x_groq.usage`
 * (docs/providers.md §4.1). Written for Z-AI's tests, not captured traffic.
 */
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../../openai/types.js';
import { recordingsIn } from '../../../../test/helpers/recording.js';

const recorded = recordingsIn(new URL('./', import.meta.url));

export const GROQ_REQUEST: ChatCompletionRequest = {
  model: 'groq/llama-3.3-70b-versatile',
  messages: [
    { role: 'developer', content: 'Be brief.' },
    { role: 'user', name: 'ada', content: 'Capital of France?' },
  ],
  temperature: 0.2,
  max_completion_tokens: 64,
  logprobs: true,
  top_logprobs: 2,
  logit_bias: { '1234': -100 },
  n: 1,
  stream: true,
  stream_options: { include_usage: true },
};

/** Exactly what Groq must receive. */
export const GROQ_UPSTREAM_BODY = {
  model: 'llama-3.3-70b-versatile',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Capital of France?' },
  ],
  temperature: 0.2,
  max_completion_tokens: 64,
  n: 1,
  stream: true,
  stream_options: { include_usage: true },
};

export const GROQ_WARNINGS = ['logprobs', 'logit_bias', 'top_logprobs', 'messages[].name'];

export const GROQ_STREAM = recorded('groq-x-groq-usage.stream.http').body;

const base = {
  id: 'chatcmpl-g1',
  object: 'chat.completion.chunk',
  created: 1767225700,
  model: 'groq/llama-3.3-70b-versatile',
  system_fingerprint: 'fp_c0cfa69934',
} as const;

/** What the client receives with include_usage: usage moved out of x_groq into a final chunk. */
export const GROQ_EXPECTED_CHUNKS: ChatCompletionChunk[] = [
  {
    ...base,
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    x_groq: { id: 'req_01jq' },
  },
  { ...base, choices: [{ index: 0, delta: { content: 'Paris.' }, logprobs: null, finish_reason: null }] },
  { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], x_groq: { id: 'req_01jq' } },
  {
    id: 'chatcmpl-g1',
    object: 'chat.completion.chunk',
    created: 1767225700,
    model: 'groq/llama-3.3-70b-versatile',
    choices: [],
    usage: {
      queue_time: 0.02,
      prompt_tokens: 41,
      prompt_time: 0.002,
      completion_tokens: 3,
      completion_time: 0.01,
      total_tokens: 44,
      total_time: 0.012,
    },
  },
];
