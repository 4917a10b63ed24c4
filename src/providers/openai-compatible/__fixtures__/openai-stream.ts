/**
 * An OpenAI text stream with `stream_options.include_usage`, written for Z-AI's tests in the shape of
 * docs/providers.md §1.5. The text holds 2-, 3- and 4-byte UTF-8 characters so that byte splits
 * land inside them.
 */

/** The raw SSE body, as the upstream sends it. */
export const OPENAI_TEXT_STREAM =
  ': keep-alive\n\n' +
  'data: {"id":"chatcmpl-9f3K2","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1a2b3c","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}\n\n' +
  'data: {"id":"chatcmpl-9f3K2","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1a2b3c","choices":[{"index":0,"delta":{"content":"Paris: 18°C, "},"logprobs":null,"finish_reason":null}],"usage":null}\n\n' +
  'data: {"id":"chatcmpl-9f3K2","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1a2b3c","choices":[{"index":0,"delta":{"content":"cloudy 🌥 (東京: 22°C, €0)."},"logprobs":null,"finish_reason":null}],"usage":null}\n\n' +
  'data: {"id":"chatcmpl-9f3K2","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1a2b3c","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}\n\n' +
  'data: {"id":"chatcmpl-9f3K2","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_1a2b3c","choices":[],"usage":{"prompt_tokens":212,"completion_tokens":14,"total_tokens":226,"prompt_tokens_details":{"cached_tokens":128},"completion_tokens_details":{"reasoning_tokens":0}}}\n\n' +
  'data: [DONE]\n\n';

/** The `data` of every event in {@link OPENAI_TEXT_STREAM}, in order. */
export const OPENAI_TEXT_STREAM_DATA: string[] = OPENAI_TEXT_STREAM.split('\n\n')
  .filter((block) => block.startsWith('data: '))
  .map((block) => block.slice('data: '.length));
