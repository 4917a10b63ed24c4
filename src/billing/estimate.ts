/**
 * Upper bounds on what a request can cost, for spend caps: the gateway reserves the worst case before
 * it calls the provider, then settles at the reported cost (or at `estimateCutStreamCost` when a
 * stream dies before the provider reported usage).
 *
 * Why bytes bound tokens: every tokenizer the providers use is byte-level BPE or SentencePiece with
 * byte fallback, so each token covers at least one UTF-8 byte of the text it encodes and a text can
 * never produce more tokens than it has bytes. That holds for every script (ASCII, CJK, emoji), which
 * a characters ÷ 4 rule of thumb does not. What the text does not contain (role markers, the chat
 * template, tool schemas rendered by the provider) is covered by the fixed overheads below.
 */
import type { TokenUsage } from '../openai/types.js';
import { costNanoUsd } from './cost.js';
import type { ModelPrice } from './price-catalog.js';
import { isRecord } from '../lib/is-record.js';

/** Template tokens around the whole conversation (priming of the assistant turn and the like). */
export const REQUEST_OVERHEAD_TOKENS = 16;
/** Template tokens around each message (role, separators); OpenAI documents 3–4. */
export const MESSAGE_OVERHEAD_TOKENS = 8;
/** Separators around each content part of a multi-part message. */
export const PART_OVERHEAD_TOKENS = 4;
/** Structure around each tool call in an assistant message (call id, function wrapper). */
export const TOOL_CALL_OVERHEAD_TOKENS = 8;
/**
 * Added once when tools or a JSON schema are present: Anthropic injects its own tool-use system
 * prompt (documented at 313–346 tokens for Claude 4 models, more for older ones) and Gemini and
 * Anthropic turn a JSON schema response format into a tool.
 */
export const TOOL_USE_OVERHEAD_TOKENS = 1_000;
/**
 * Ceiling per image. Image tokens depend on the pixels after the provider downscales the image, not
 * on its bytes, so a URL image and a data-URL image get the same allowance and the base64 text of a
 * data URL is never counted as text (bytes ÷ 3 would reserve a million tokens for a 1 MB photo).
 * Documented maxima: OpenAI patch-priced models ≈ 1,536 patches × ≤ 2.5, gpt-4o 1,445 (8 tiles at high
 * detail), Anthropic ≈ 1,600 (≈ 1.15 MP after resizing), Gemini 3 ≤ 1,120 (high media resolution) and
 * Gemini 2.5 258 per 768 × 768 tile (≈ 30 tiles for a 24 MP photo fit under this ceiling).
 */
export const IMAGE_TOKENS_CEILING = 8_000;
/**
 * gpt-4o-mini prices images as many tokens so that they cost what they cost on gpt-4o:
 * 2,833 + 5,667 per 512 px tile, 8 tiles at most at high detail = 48,169 tokens.
 */
export const GPT_4O_MINI_IMAGE_TOKENS_CEILING = 48_200;
/** Per embeddings input: some providers add begin/end-of-text tokens to each input. */
export const EMBEDDING_INPUT_OVERHEAD_TOKENS = 2;

type JsonRecord = Record<string, unknown>;

/** UTF-8 length of a text, the unit in which streamed completion text should be counted. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * UTF-8 bytes of every string (and number or boolean, as text) inside a value; object keys are not
 * counted because they are not sent to the model as text. Iterative, so a deeply nested body cannot
 * overflow the stack.
 */
function stringBytes(root: unknown): number {
  let bytes = 0;
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') bytes += utf8Bytes(value);
    else if (typeof value === 'number' || typeof value === 'boolean') bytes += String(value).length;
    // A loop, not push(...value): spreading a huge array would exceed the argument limit.
    else if (Array.isArray(value)) for (const item of value) pending.push(item);
    else if (isRecord(value)) for (const item of Object.values(value)) pending.push(item);
  }
  return bytes;
}

/** UTF-8 bytes of a value as JSON, for parts (tool schemas) that providers render close to their JSON. */
function jsonBytes(value: unknown): number {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? 0 : utf8Bytes(json);
  } catch {
    // Not JSON-serialisable (cannot come from a parsed body); fall back to its strings.
    return stringBytes(value);
  }
}

function imageTokensCeiling(model: unknown): number {
  // Matches `openai/gpt-4o-mini`, dated snapshots, and OpenAI-compatible custom hosts serving it.
  return typeof model === 'string' && /(^|\/)gpt-4o-mini(-\d{4}-\d{2}-\d{2})?$/.test(model)
    ? GPT_4O_MINI_IMAGE_TOKENS_CEILING
    : IMAGE_TOKENS_CEILING;
}

function isImagePart(part: JsonRecord): boolean {
  return part.type === 'image_url' || part.type === 'input_image' || part.type === 'image';
}

function partTokens(part: unknown, imageCeiling: number): number {
  if (!isRecord(part)) return PART_OVERHEAD_TOKENS + stringBytes(part);
  if (isImagePart(part)) return PART_OVERHEAD_TOKENS + imageCeiling;
  // A file (PDF) is read as text plus page images; its bytes bound the text and one image allowance
  // covers a page image. Many-page PDFs with tiny byte sizes could exceed this (documented limit).
  if (part.type === 'file') return PART_OVERHEAD_TOKENS + imageCeiling + stringBytes(part);
  return PART_OVERHEAD_TOKENS + stringBytes(part);
}

function messageTokens(message: unknown, imageCeiling: number): number {
  if (!isRecord(message)) return MESSAGE_OVERHEAD_TOKENS + stringBytes(message);
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  for (const [key, value] of Object.entries(message)) {
    if (key === 'content' && Array.isArray(value)) {
      for (const part of value) tokens += partTokens(part, imageCeiling);
    } else if (key === 'tool_calls' && Array.isArray(value)) {
      tokens += value.length * TOOL_CALL_OVERHEAD_TOKENS + stringBytes(value);
    } else {
      tokens += stringBytes(value);
    }
  }
  return tokens;
}

function usesToolPrompt(body: JsonRecord): boolean {
  const hasList = (value: unknown): boolean => Array.isArray(value) && value.length > 0;
  const format = body.response_format;
  return hasList(body.tools) || hasList(body.functions) || (isRecord(format) && format.type === 'json_schema');
}

/**
 * An upper bound on the prompt tokens of an OpenAI chat request, whatever provider serves it: UTF-8
 * bytes of every string in `messages` (text parts, names, tool call arguments, tool results), a fixed
 * ceiling per image, the JSON of `tools`, `functions`, `tool_choice` and `response_format`, and
 * template overheads. A body without a `messages` array is bounded by its whole JSON size.
 * Adding anything to a request never lowers the result.
 */
export function estimatePromptTokensUpperBound(body: unknown): number {
  if (!isRecord(body) || !Array.isArray(body.messages)) return REQUEST_OVERHEAD_TOKENS + jsonBytes(body);
  const imageCeiling = imageTokensCeiling(body.model);
  let tokens = REQUEST_OVERHEAD_TOKENS;
  for (const message of body.messages) tokens += messageTokens(message, imageCeiling);
  for (const key of ['tools', 'functions', 'tool_choice', 'response_format'] as const) {
    if (body[key] !== undefined) tokens += jsonBytes(body[key]);
  }
  if (usesToolPrompt(body)) tokens += TOOL_USE_OVERHEAD_TOKENS;
  return tokens;
}

/**
 * An upper bound on the tokens of an embeddings `input`: a string, a list of strings, a list of token
 * ids or a list of token-id lists (ids count one token each). Anything else is bounded by its JSON size.
 */
export function estimateEmbeddingTokensUpperBound(input: unknown): number {
  const one = (item: unknown): number => {
    if (typeof item === 'string') return EMBEDDING_INPUT_OVERHEAD_TOKENS + utf8Bytes(item);
    if (Array.isArray(item) && item.every((id) => typeof id === 'number')) {
      return EMBEDDING_INPUT_OVERHEAD_TOKENS + item.length;
    }
    return EMBEDDING_INPUT_OVERHEAD_TOKENS + jsonBytes(item);
  };
  // A non-empty all-number array is one input of token ids; any other array is a list of inputs
  // (an empty one has none, so adding an input always raises the bound).
  const isTokenIds = Array.isArray(input) && input.length > 0 && input.every((id) => typeof id === 'number');
  if (Array.isArray(input) && !isTokenIds) return input.reduce<number>((sum, item) => sum + one(item), 0);
  return one(input);
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * The most completion tokens a chat request can produce: the smaller of what the client asked for
 * (`max_completion_tokens`, else `max_tokens`) and the model's documented maximum, times `n` choices.
 * Both limits include reasoning tokens at OpenAI and Anthropic. Undefined when neither is known, so
 * the caller must decide (refuse, or require `max_tokens` on capped keys) instead of guessing.
 */
export function maxOutputTokensUpperBound(body: unknown, modelMaxOutputTokens: number | null): number | undefined {
  const request = isRecord(body) ? body : {};
  const asked = positiveInteger(request.max_completion_tokens) ?? positiveInteger(request.max_tokens);
  const modelMax = positiveInteger(modelMaxOutputTokens);
  const perChoice = asked !== undefined && modelMax !== undefined ? Math.min(asked, modelMax) : (asked ?? modelMax);
  if (perChoice === undefined) return undefined;
  return perChoice * (positiveInteger(request.n) ?? 1);
}

/**
 * The most a request can cost, in nano-USD, rounded up: every prompt token at the input price (a cache
 * hit is never promised, so the cheaper cached price is not assumed) plus every possible output token.
 */
export function worstCaseCostNanoUsd(opts: {
  promptTokensUpperBound: number;
  maxOutputTokens: number;
  price: ModelPrice;
}): number {
  return costNanoUsd(
    { promptTokens: opts.promptTokensUpperBound, completionTokens: opts.maxOutputTokens, cachedTokens: 0 },
    opts.price,
  );
}

/**
 * What to bill for a stream cut before the provider reported usage: the prompt upper bound at the
 * input price plus one token per UTF-8 byte of completion text seen (content, refusal and tool call
 * arguments, counted with `utf8Bytes`). Bytes bound the tokens of the text that arrived; hidden
 * reasoning tokens cannot be seen, which is why this is an estimate and not a bound. Any request to a
 * model with a non-zero input price costs at least 1 nano-USD, because the prompt bound is never 0.
 */
export function estimateCutStreamCost(opts: {
  promptTokensUpperBound: number;
  completionBytes: number;
  price: ModelPrice;
}): number {
  return costNanoUsd(cutStreamUsage(opts.promptTokensUpperBound, opts.completionBytes), opts.price);
}

/** The token counts `estimateCutStreamCost` bills. */
export function cutStreamUsage(promptTokensUpperBound: number, completionBytes: number): TokenUsage {
  return { promptTokens: promptTokensUpperBound, completionTokens: completionBytes, cachedTokens: 0 };
}

/**
 * The most output tokens (in all, over every choice) whose worst case fits in `availableNanoUsd`,
 * at most `maxOutputTokens`; 0 when not even one does after the prompt. Cost grows with the count,
 * so a binary search finds it in about 17 steps for the largest catalog maximum.
 */
export function largestAffordableOutputTokens(opts: {
  promptTokensUpperBound: number;
  maxOutputTokens: number;
  price: ModelPrice;
  availableNanoUsd: number;
}): number {
  const fits = (tokens: number): boolean =>
    worstCaseCostNanoUsd({ promptTokensUpperBound: opts.promptTokensUpperBound, maxOutputTokens: tokens, price: opts.price }) <=
    opts.availableNanoUsd;
  let low = 0;
  let high = opts.maxOutputTokens;
  if (!fits(low)) return 0;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
