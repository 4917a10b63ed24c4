/**
 * An Anthropic Messages request → the gateway's chat request, for every provider but Anthropic.
 * The conversation and tools are converted once; what depends on the model (the output limit, the
 * reasoning effort) is set per candidate, since a fallback may be another model.
 *
 * What another provider cannot take never fails the request: it is dropped and named in
 * `x-zai-warnings` (Claude Code sends `metadata`, `context_management`, `thinking` and
 * `output_config.effort` with every request, and seven `anthropic-beta` flags). Only what would
 * silently change the answer is refused (`max_tokens: 0`, content that cannot be translated).
 *
 * @see https://docs.claude.com/en/api/messages
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest, ChatMessage, ResponseFormat } from '../../openai/types.js';
import { isRecord } from '../../providers/anthropic/content.js';
import type { ProviderId } from '../../providers/provider.js';
import { toChatMessages } from './content.js';
import { toChatTools, type ChatTools } from './tools.js';
import type { MessagesRequest } from './wire.js';

/** Fields translated below; `cache_control` (a caching hint) is dropped without a warning. */
const HANDLED: ReadonlySet<string> = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'stream',
  'stop_sequences',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'cache_control',
]);

/** The model a translated request goes to (one candidate). */
export interface TranslationTarget {
  /** The public `provider/model` string. */
  model: string;
  providerId: ProviderId;
  upstreamModel: string;
  /** The model's output limit from the catalog, if known. */
  maxOutputTokens: number | undefined;
}

export interface TranslatedRequest {
  request: ChatCompletionRequest;
  /** Dropped fields and headers, by name. */
  warnings: string[];
  /** Answer headers the translation adds (`x-zai-max-tokens` when max_tokens was clamped). */
  headers: Record<string, string>;
}

/** The conversation converted once; `forTarget` completes it for one candidate model. */
export interface PreparedTranslation {
  forTarget(target: TranslationTarget): TranslatedRequest;
}

type Effort = 'low' | 'medium' | 'high';

/**
 * Models that take OpenAI's `reasoning_effort` (OpenAI's o-series, GPT-5 and later, gpt-oss on any
 * host). Others answer 400 to it, so for them thinking and effort are dropped with a warning.
 */
const REASONING_MODEL = /(^|[/-])(o[1-9]\d*(-|$)|gpt-[5-9]|gpt-oss)/i;

export function takesReasoningEffort(target: Pick<TranslationTarget, 'providerId' | 'upstreamModel'>): boolean {
  return target.providerId !== 'gemini' && target.providerId !== 'anthropic' && REASONING_MODEL.test(target.upstreamModel);
}

/** Anthropic's effort levels onto the three every reasoning model takes. */
function toEffort(value: unknown): Effort | undefined {
  if (value === 'low' || value === 'medium') return value;
  if (value === 'high' || value === 'xhigh' || value === 'max') return 'high';
  return undefined;
}

/** A thinking budget as an effort: Anthropic's documented budgets span 1,024 to tens of thousands of tokens. */
function budgetEffort(budget: unknown): Effort | undefined {
  if (typeof budget !== 'number') return undefined;
  return budget <= 4096 ? 'low' : budget <= 16384 ? 'medium' : 'high';
}

export function prepareTranslation(request: MessagesRequest, headers: { anthropicBeta: boolean }): PreparedTranslation {
  const warnings = new Set<string>();
  const messages: ChatMessage[] = toChatMessages(request, warnings);
  const tools: ChatTools = toChatTools(request, warnings);
  for (const [field, value] of Object.entries(request)) {
    if (!HANDLED.has(field) && value !== undefined && value !== null) warnings.add(field);
  }
  if (headers.anthropicBeta) warnings.add('anthropic-beta');

  const thinking = request.thinking;
  const thinkingOn = thinking !== undefined && thinking !== null && thinking.type !== 'disabled';
  const output = isRecord(request.output_config) ? request.output_config : {};
  const askedEffort = output.effort ?? undefined;
  const effort = toEffort(askedEffort) ?? (thinking?.type === 'enabled' ? budgetEffort(thinking.budget_tokens) : undefined);
  for (const key of Object.keys(output)) {
    if (key !== 'effort' && key !== 'format' && output[key] !== undefined && output[key] !== null) {
      warnings.add(`output_config.${key}`);
    }
  }
  const responseFormat = toResponseFormat(output.format);

  const base: ChatCompletionRequest = { model: request.model, messages };
  if (Array.isArray(request.stop_sequences) && request.stop_sequences.length > 0) base.stop = request.stop_sequences;
  if (typeof request.temperature === 'number') base.temperature = request.temperature;
  if (typeof request.top_p === 'number') base.top_p = request.top_p;
  if (tools.tools !== undefined) base.tools = tools.tools;
  if (tools.tool_choice !== undefined) base.tool_choice = tools.tool_choice;
  if (tools.parallel_tool_calls !== undefined) base.parallel_tool_calls = tools.parallel_tool_calls;
  if (responseFormat !== undefined) base.response_format = responseFormat;
  if (request.stream === true) {
    base.stream = true;
    // The usage is needed for message_delta and for billing, whatever the client asked.
    base.stream_options = { include_usage: true };
  }

  return {
    forTarget(target) {
      const targetWarnings = new Set(warnings);
      const answerHeaders: Record<string, string> = {};
      if (request.max_tokens < 1) {
        throw invalidRequest(
          'max_tokens: 0 only pre-warms the prompt cache of Anthropic models; other models need at least 1.',
          'max_tokens',
        );
      }
      let maxTokens = request.max_tokens;
      if (target.maxOutputTokens !== undefined && maxTokens > target.maxOutputTokens) {
        // Claude Code asks for 32,000 whatever the model; the provider would refuse more than its limit.
        maxTokens = target.maxOutputTokens;
        targetWarnings.add('max_tokens');
        answerHeaders['x-zai-max-tokens'] = String(maxTokens);
      }
      const chat: ChatCompletionRequest = Object.assign({}, base, { model: target.model, max_completion_tokens: maxTokens });
      if (takesReasoningEffort(target)) {
        if (effort !== undefined) chat.reasoning_effort = effort;
      } else {
        if (thinkingOn) targetWarnings.add('thinking');
        if (askedEffort !== undefined && askedEffort !== null) targetWarnings.add('output_config.effort');
      }
      return { request: chat, warnings: [...targetWarnings], headers: answerHeaders };
    },
  };
}

/** Anthropic structured output (`output_config.format`) → OpenAI's `response_format`. */
function toResponseFormat(format: unknown): ResponseFormat | undefined {
  if (format === undefined || format === null) return undefined;
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.schema)) {
    throw invalidRequest('output_config.format: must be {"type": "json_schema", "schema": {…}}.', 'output_config.format');
  }
  return { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };
}
