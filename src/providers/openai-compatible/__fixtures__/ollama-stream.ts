/**
 * Ollama (a keyless `custom` provider): intermediate chunks carry `finish_reason: ""`
 * (older Ollama versions) and usage arrives in a separate `choices: []` chunk
 * (docs/providers.md §4.5). Written for Z-AI's tests, not captured traffic.
 */
import type { ChatCompletionChunk, ChatCompletionRequest } from '../../../openai/types.js';
import { recordingsIn } from '../../../../test/helpers/recording.js';

const recorded = recordingsIn(new URL('./', import.meta.url));

export const OLLAMA_REQUEST: ChatCompletionRequest = {
  model: 'ollama/llama3.2',
  messages: [{ role: 'user', content: 'Count to two' }],
  stream: true,
  stream_options: { include_usage: false },
  max_completion_tokens: 20,
};

export const OLLAMA_UPSTREAM_BODY = {
  model: 'llama3.2',
  messages: [{ role: 'user', content: 'Count to two' }],
  stream: true,
  stream_options: { include_usage: true },
  max_tokens: 20,
};

export const OLLAMA_STREAM = recorded('ollama.stream.http').body;

const base = {
  id: 'chatcmpl-412',
  object: 'chat.completion.chunk',
  created: 1767226000,
  model: 'ollama/llama3.2',
  system_fingerprint: 'fp_ollama',
} as const;

/** The client did not ask for usage: the usage-only chunk disappears, `""` reads `null`. */
export const OLLAMA_EXPECTED_CHUNKS: ChatCompletionChunk[] = [
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '1,' }, finish_reason: null }] },
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: ' 2' }, finish_reason: null }] },
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: 'stop' }] },
];
