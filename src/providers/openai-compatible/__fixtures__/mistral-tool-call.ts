/**
 * Mistral: a tool-call round trip. The client replays a conversation whose tool-call id came from
 * OpenAI (`call_7Yq2`), which Mistral would refuse; the gateway sends `WVdQIYrCr` (derived from the
 * id's SHA-256) and maps it back wherever Mistral echoes it (docs/providers.md §4.2).
 * Written for Z-AI's tests, not captured traffic.
 */
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from '../../../openai/types.js';
import { jsonOf, recordingsIn } from '../../../../test/helpers/recording.js';

const recorded = recordingsIn(new URL('./', import.meta.url));

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
} as const;

export const MISTRAL_REQUEST: ChatCompletionRequest = {
  model: 'mistral/mistral-large-latest',
  messages: [
    { role: 'developer', content: 'Answer in one sentence.' },
    { role: 'user', name: 'ada', content: 'Weather in Paris and Lyon?' },
    {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 'call_7Yq2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    },
    { role: 'tool', tool_call_id: 'call_7Yq2', content: '{"temp_c":18,"sky":"cloudy"}' },
  ],
  tools: [WEATHER_TOOL],
  tool_choice: 'auto',
  seed: 42,
  max_completion_tokens: 300,
  max_tokens: 100,
  temperature: 0.3,
  user: 'u-91c2',
  logprobs: false,
  store: true,
};

/** Exactly what Mistral must receive (the mapped id is a literal on purpose: it must never change). */
export const MISTRAL_UPSTREAM_BODY = {
  model: 'mistral-large-latest',
  messages: [
    { role: 'system', content: 'Answer in one sentence.' },
    { role: 'user', content: 'Weather in Paris and Lyon?' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'WVdQIYrCr', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
    },
    { role: 'tool', tool_call_id: 'WVdQIYrCr', content: '{"temp_c":18,"sky":"cloudy"}' },
  ],
  tools: [WEATHER_TOOL],
  tool_choice: 'auto',
  max_tokens: 300,
  temperature: 0.3,
  random_seed: 42,
};

/** `logprobs: false` and `refusal: null` ask for nothing, so dropping them is not worth a warning. */
export const MISTRAL_WARNINGS = ['user', 'store', 'messages[].name'];

/** Mistral's answer: it echoes the id it was given for Paris and mints a new one for Lyon. */
export const MISTRAL_RESPONSE = jsonOf(recorded('mistral-tool-call.response.http')) as ChatCompletion;

export const MISTRAL_EXPECTED_COMPLETION: ChatCompletion = {
  ...MISTRAL_RESPONSE,
  object: 'chat.completion',
  model: 'mistral/mistral-large-latest',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: '',
        prefix: false,
        tool_calls: [
          { id: 'call_7Yq2', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
          { id: 'D681PevKs', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Lyon"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
};

/** The same answer streamed: usage rides on the last chunk with the finish reason, unasked. */
export const MISTRAL_STREAM = recorded('mistral-tool-call.stream.http').body;

export const MISTRAL_EXPECTED_CHUNKS: ChatCompletionChunk[] = [
  {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1767225801,
    model: 'mistral/mistral-large-latest',
    choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
  },
  {
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1767225801,
    model: 'mistral/mistral-large-latest',
    choices: [
      {
        index: 0,
        // Mistral sends no `type`; OpenAI's clients need it.
        delta: {
          tool_calls: [
            { id: 'call_7Yq2', function: { name: 'get_weather', arguments: '{"city": "Paris"}' }, index: 0, type: 'function' },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ],
  },
];
