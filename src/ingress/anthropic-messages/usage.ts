/**
 * Token counts in Anthropic's shape, and the input-token estimate used where no provider counts
 * for us (count_tokens for other providers, `message_start` before the provider's usage is known).
 *
 * Anthropic's `input_tokens` excludes cached tokens (they are `cache_read_input_tokens`), while the
 * gateway's `promptTokens` includes them, like OpenAI's `prompt_tokens`.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
import type { TokenUsage } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';
import type { MessagesRequest, MessageUsage } from './wire.js';

/** Tokens assumed per image or PDF: Anthropic's documented cost of an image of about 1.15 megapixels. */
export const MEDIA_TOKENS_ESTIMATE = 1_600;
/** Role markers and separators around each message. */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** A common rule of thumb for English text and code with modern BPE tokenizers. */
const BYTES_PER_TOKEN = 4;

export function toMessageUsage(usage: TokenUsage): MessageUsage {
  const cached = Math.min(usage.cachedTokens, usage.promptTokens);
  const written = Math.min((usage.cacheWrite5mTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0), usage.promptTokens - cached);
  return {
    input_tokens: usage.promptTokens - cached - written,
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/**
 * An estimate (not a bound) of a request's input tokens: UTF-8 bytes of its text ÷ 4, a fixed
 * allowance per image or base64 document, the tool definitions as JSON, and a little per message.
 */
export function estimateInputTokens(request: Pick<MessagesRequest, 'messages' | 'system' | 'tools'>): number {
  const tally = { bytes: 0, media: 0 };
  if (request.system !== undefined && request.system !== null) countText(request.system, tally);
  for (const message of request.messages) countText(message.content, tally);
  if (Array.isArray(request.tools)) tally.bytes += Buffer.byteLength(JSON.stringify(request.tools));
  return (
    Math.ceil(tally.bytes / BYTES_PER_TOKEN) +
    tally.media * MEDIA_TOKENS_ESTIMATE +
    request.messages.length * MESSAGE_OVERHEAD_TOKENS
  );
}

/** Bytes of every string inside `value` (keys not counted); media counts as an allowance, not as text. Iterative. */
function countText(root: unknown, tally: { bytes: number; media: number }): void {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') tally.bytes += Buffer.byteLength(value);
    else if (Array.isArray(value)) for (const item of value) pending.push(item);
    else if (isRecord(value)) {
      if (isMedia(value)) tally.media += 1;
      // A tool call's input is read by the model as JSON.
      else if (value.type === 'tool_use') tally.bytes += Buffer.byteLength(JSON.stringify(value.input ?? {})) + nameBytes(value);
      else {
        // Block types and cache hints are structure, not text the model reads.
        for (const key in value) if (key !== 'type' && key !== 'cache_control') pending.push(value[key]);
      }
    }
  }
}

/** Images, and documents that are files (PDF) rather than text. */
function isMedia(block: Record<string, unknown>): boolean {
  if (block.type === 'image') return true;
  const source = block.source;
  return block.type === 'document' && isRecord(source) && source.type !== 'text' && source.type !== 'content';
}

function nameBytes(block: Record<string, unknown>): number {
  return typeof block.name === 'string' ? Buffer.byteLength(block.name) : 0;
}
