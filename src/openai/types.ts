/**
 * OpenAI's Chat Completions, Embeddings and Models wire types: the gateway's public contract.
 * Requests are typed loosely at the edges (`[key: string]: unknown`) because clients send fields
 * newer than this file, and OpenAI-compatible upstreams receive them untouched.
 *
 * @see https://platform.openai.com/docs/api-reference/chat
 */

export type Role = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface TextPart {
  type: 'text';
  text: string;
}
export interface ImageUrlPart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}
export interface OtherPart {
  type: string;
  [key: string]: unknown;
}
export type ContentPart = TextPart | ImageUrlPart | OtherPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: Role;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  refusal?: string | null;
  [key: string]: unknown;
}

export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice =
  'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } } | { type: string; [key: string]: unknown };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean };
    };

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  seed?: number | null;
  user?: string;
  [key: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /**
   * `cached_tokens` are cache reads. `cache_write_tokens` (cache writes, all durations) and
   * `cache_write_1h_tokens` (the 1-hour share of them) are Z-AI's additions for providers that
   * bill writes (Anthropic); all three are part of `prompt_tokens`.
   */
  prompt_tokens_details?: {
    cached_tokens?: number;
    cache_write_tokens?: number;
    cache_write_1h_tokens?: number;
    [key: string]: unknown;
  };
  completion_tokens_details?: { reasoning_tokens?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal?: string | null;
      tool_calls?: ToolCall[];
      [key: string]: unknown;
    };
    logprobs?: unknown;
    finish_reason: FinishReason | null;
  }>;
  usage?: Usage;
  [key: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      refusal?: string | null;
      tool_calls?: ToolCallDelta[];
      [key: string]: unknown;
    };
    logprobs?: unknown;
    finish_reason: FinishReason | null;
  }>;
  usage?: Usage | null;
  [key: string]: unknown;
}

export interface EmbeddingsRequest {
  model: string;
  input: string | string[] | number[] | number[][];
  encoding_format?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  [key: string]: unknown;
}

export interface EmbeddingsResponse {
  object: 'list';
  model: string;
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface Model {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/**
 * Token counts the gateway records and bills. `promptTokens` counts every input token: cache reads
 * (`cachedTokens`) and cache writes are parts of it. `completionTokens` counts every output token:
 * `reasoningTokens` are part of it (reported, never billed again). Absent optional counts are 0.
 */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedTokens: number;
  /** Input tokens written to a 5-minute prompt cache (Anthropic's default duration). */
  cacheWrite5mTokens?: number;
  /** Input tokens written to a 1-hour prompt cache. */
  cacheWrite1hTokens?: number;
  /** Output tokens the model spent thinking. */
  reasoningTokens?: number;
}
