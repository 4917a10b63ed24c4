/**
 * OpenAI Chat Completions request → Anthropic Messages request (`POST {baseUrl}/v1/messages`).
 * Everything Anthropic can honour is translated; what it cannot is either refused with a 400
 * naming the parameter (when dropping it would change the answer's meaning) or dropped and named
 * in `warnings` — never rescaled or reinterpreted.
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCallInput, ProviderCredentials, UpstreamCall } from '../provider.js';
import type { AnthropicTextBlock } from './content.js';
import { anthropicEndpoint } from './endpoint.js';
import { toAnthropicMessages, type AnthropicMessage } from './messages.js';
import { toThinking, type AnthropicThinking } from './thinking.js';
import { toAnthropicTools, type AnthropicTool, type AnthropicToolChoice } from './tools.js';

/**
 * `max_tokens` when neither the client nor the catalog gives one. Anthropic requires the field;
 * 4096 is the largest value every Claude model since Claude 3 accepts, so it never causes a 400.
 */
export const DEFAULT_MAX_TOKENS = 4096;

/** The body sent to `/v1/messages`; only fields Anthropic documents. */
export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: AnthropicTextBlock[];
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
  thinking?: AnthropicThinking;
  stream?: true;
}

export interface AnthropicRequest {
  call: UpstreamCall;
  body: AnthropicRequestBody;
  /** Dropped parameters, by name. */
  warnings: string[];
  /** The synthetic `response_format` tool (see tools.ts), which the response mappers unwrap. */
  answerTool: string | undefined;
}

/**
 * Request fields translated below or consumed by the gateway itself (`stream_options`). Any other
 * field a client sends has no Anthropic equivalent here (`seed`, `logprobs`, `logit_bias`,
 * `presence_penalty`, `frequency_penalty`, `metadata`, …) and is dropped by name.
 */
const TRANSLATED_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'user',
  'reasoning_effort',
  'thinking',
]);

/** Builds the upstream call; throws GatewayError 400 for requests Anthropic cannot answer faithfully. */
export function toAnthropicRequest(input: ChatCallInput, credentials: ProviderCredentials): AnthropicRequest {
  const { request } = input;
  if (typeof request.n === 'number' && request.n > 1) {
    throw invalidRequest('Anthropic models return one choice per request; n must be 1.', 'n');
  }
  // OpenAI's range is 0–2, Anthropic's 0–1. Rescaling would silently change the sampling the
  // client asked for, so values Anthropic cannot express are refused instead.
  if (typeof request.temperature === 'number' && request.temperature > 1) {
    throw invalidRequest(`Anthropic models accept temperature from 0 to 1; got ${request.temperature}.`, 'temperature');
  }

  const prompt = toAnthropicMessages(request.messages);
  const toolConfig = toAnthropicTools(request);
  const stop = typeof request.stop === 'string' ? [request.stop] : (request.stop ?? []);

  const body: AnthropicRequestBody = {
    model: input.upstreamModel,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? input.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
    messages: prompt.messages,
  };
  if (prompt.system !== undefined) body.system = prompt.system;
  if (typeof request.temperature === 'number') body.temperature = request.temperature;
  if (typeof request.top_p === 'number') body.top_p = request.top_p;
  if (stop.length > 0) body.stop_sequences = stop;
  if (toolConfig.tools !== undefined) body.tools = toolConfig.tools;
  if (toolConfig.tool_choice !== undefined) body.tool_choice = toolConfig.tool_choice;
  if (typeof request.user === 'string' && request.user !== '') body.metadata = { user_id: request.user };
  const thinking = toThinking(request, body.max_tokens, body.tool_choice);
  if (thinking.thinking !== undefined) body.thinking = thinking.thinking;
  if (input.stream) body.stream = true;

  const dropped = Object.entries(request)
    .filter(([key, value]) => !TRANSLATED_FIELDS.has(key) && value !== undefined && value !== null)
    .map(([key]) => key);

  const { url, headers } = anthropicEndpoint(credentials, '/v1/messages');
  return {
    call: { method: 'POST', url, headers, body: JSON.stringify(body) },
    body,
    warnings: [...dropped, ...(thinking.dropped === undefined ? [] : [thinking.dropped]), ...prompt.warnings],
    answerTool: toolConfig.answerTool,
  };
}
