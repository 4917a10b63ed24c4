/**
 * An OpenAI chat request → one Gemini generateContent / streamGenerateContent call.
 *
 * Gemini rejects unknown fields, so the body is built from an allow-list; every OpenAI parameter
 * that has no Gemini meaning is dropped and named in `warnings` (never guessed at), and the few
 * whose loss would change what the client gets silently (`functions`) are a 400.
 *
 * @see https://ai.google.dev/api/generate-content#v1beta.models.generateContent
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerationConfig
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { ChatCallInput, ProviderCredentials, UpstreamCall } from '../provider.js';
import { geminiEndpoint, modelPath } from './endpoint.js';
import { convertMessages } from './messages.js';
import { convertToolChoice, convertTools } from './tools.js';
import type { GeminiGenerationConfig, GeminiRequest, GeminiThinkingConfig } from './wire.js';

/** Fields this translator reads (or that only steer the gateway, like `stream`). */
const HANDLED = new Set([
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
  'response_format',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'parallel_tool_calls',
  'logprobs',
  'top_logprobs',
  'reasoning_effort',
]);

/** The deprecated function-calling API: dropping it would quietly turn a tool call into prose. */
const REJECTED = ['functions', 'function_call'];

export interface GeminiChatCall {
  call: UpstreamCall;
  body: GeminiRequest;
  warnings: string[];
}

/** Builds the upstream call; throws a 400 GatewayError for requests Gemini cannot express. */
export function buildGeminiChatCall(input: ChatCallInput, credentials: ProviderCredentials): GeminiChatCall {
  const { request } = input;
  const warnings = new Set<string>();
  const body = toGeminiRequest(request, warnings);
  const thinkingConfig = toThinkingConfig(request.reasoning_effort, input.upstreamModel, body.generationConfig?.maxOutputTokens);
  if (thinkingConfig !== undefined) body.generationConfig = { ...body.generationConfig, thinkingConfig };
  const method = input.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  // `alt=sse` makes Gemini stream server-sent events; without it the endpoint streams a JSON array.
  const { url, headers } = geminiEndpoint(credentials, `${modelPath(input.upstreamModel)}:${method}`, 'POST');
  return { call: { method: 'POST', url, headers, body: JSON.stringify(body) }, body, warnings: [...warnings] };
}

/** The Gemini request body for an OpenAI chat request; adds dropped parameter names to `warnings`. */
export function toGeminiRequest(request: ChatCompletionRequest, warnings: Set<string>): GeminiRequest {
  checkParameters(request, warnings);
  const { systemInstruction, contents } = convertMessages(request.messages, warnings);
  const body: GeminiRequest = { contents };
  if (systemInstruction !== undefined) body.systemInstruction = systemInstruction;
  const tools = convertTools(request.tools, warnings);
  if (tools !== undefined) body.tools = tools;
  const toolConfig = convertToolChoice(request.tool_choice);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  const generationConfig = toGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function toGenerationConfig(request: ChatCompletionRequest): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (request.stop != null) {
    const stops = typeof request.stop === 'string' ? [request.stop] : request.stop;
    if (stops.length > 0) config.stopSequences = stops;
  }
  if (request.n != null) config.candidateCount = request.n;
  if (request.seed != null) config.seed = request.seed;
  const presence = numberField(request, 'presence_penalty');
  if (presence !== undefined) config.presencePenalty = presence;
  const frequency = numberField(request, 'frequency_penalty');
  if (frequency !== undefined) config.frequencyPenalty = frequency;
  Object.assign(config, responseFormat(request.response_format));
  return config;
}

/**
 * `json_schema` goes out as `responseJsonSchema`, which takes JSON Schema as OpenAI clients write
 * it; the older `responseSchema` is an OpenAPI subset that rejects `additionalProperties`,
 * which every OpenAI strict schema carries.
 */
function responseFormat(format: ChatCompletionRequest['response_format']): GeminiGenerationConfig {
  if (format === undefined || format === null || format.type === 'text') return {};
  if (format.type === 'json_object') return { responseMimeType: 'application/json' };
  if (format.type === 'json_schema') {
    const schema = (format as { json_schema?: { schema?: Record<string, unknown> } }).json_schema?.schema;
    return schema === undefined
      ? { responseMimeType: 'application/json' }
      : { responseMimeType: 'application/json', responseJsonSchema: schema };
  }
  // The union is exhausted here, but clients may send types newer than this file.
  const type: unknown = (format as { type?: unknown }).type;
  throw invalidRequest(`response_format type '${String(type)}' is not supported.`, 'response_format.type');
}

/** Thinking budgets of Gemini 2.x for OpenAI's effort levels (those of Google's own OpenAI-compatible endpoint). */
const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24_576,
  xhigh: 24_576,
};
/** Thinking levels from Gemini 3 on. */
const THINKING_LEVELS: Readonly<Record<string, GeminiThinkingConfig['thinkingLevel']>> = {
  minimal: 'minimal',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'high',
};

/**
 * `reasoning_effort` → `thinkingConfig`, asking for the thought summaries (they come back as
 * `reasoning_content`). `none` turns thinking off where the model can (Gemini 2.x Flash: budget 0)
 * and asks for no thoughts elsewhere.
 */
function toThinkingConfig(
  effort: unknown,
  upstreamModel: string,
  maxOutputTokens: number | undefined,
): GeminiThinkingConfig | undefined {
  if (effort === undefined || effort === null) return undefined;
  // Levels from Gemini 3 on; budgets elsewhere (Gemini 2.x, aliases like gemini-flash-latest), which
  // Gemini 3 still accepts.
  const legacy = !/^gemini-([3-9]|\d{2,})[.-]/.test(upstreamModel);
  // Only Flash models can stop thinking (budget 0); Pro answers 400 to it, so it just shows none.
  if (effort === 'none') return legacy && upstreamModel.includes('flash') ? { thinkingBudget: 0 } : undefined;
  const budget = typeof effort === 'string' ? THINKING_BUDGETS[effort] : undefined;
  const level = typeof effort === 'string' ? THINKING_LEVELS[effort] : undefined;
  if (budget === undefined || level === undefined) {
    throw invalidRequest(
      `reasoning_effort must be one of none, ${Object.keys(THINKING_BUDGETS).join(', ')}.`,
      'reasoning_effort',
    );
  }
  if (!legacy) return { includeThoughts: true, thinkingLevel: level };
  // Thoughts count against the output limit: at most half of it goes to thinking (never under
  // Gemini's smallest budget, 128), so the answer keeps room.
  const capped = maxOutputTokens === undefined ? budget : Math.max(128, Math.min(budget, Math.floor(maxOutputTokens / 2)));
  return { includeThoughts: true, thinkingBudget: capped };
}

/** Names every parameter Gemini cannot honour; rejects the ones that cannot be dropped. */
function checkParameters(request: ChatCompletionRequest, warnings: Set<string>): void {
  for (const name of REJECTED) {
    if (request[name] != null) {
      throw invalidRequest(`'${name}' is deprecated and not supported for Gemini; use 'tools'.`, name);
    }
  }
  // Only the values Gemini cannot match are warned about: `parallel_tool_calls: true` and
  // `logprobs: false` are what Gemini does anyway.
  if (request.parallel_tool_calls === false) warnings.add('parallel_tool_calls');
  if (request['logprobs'] === true) warnings.add('logprobs');
  if (request['top_logprobs'] != null) warnings.add('top_logprobs');
  for (const [name, value] of Object.entries(request)) {
    // `null` is OpenAI's "unset", so it asks for nothing we could fail to honour.
    if (!HANDLED.has(name) && value != null) warnings.add(name);
  }
}

function numberField(request: ChatCompletionRequest, name: string): number | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  throw invalidRequest(`${name} must be a number.`, name);
}
