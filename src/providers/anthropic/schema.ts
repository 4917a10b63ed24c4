/**
 * Zod schemas for what Anthropic answers: the Message, the stream events and the error body.
 * They are lenient on purpose (unknown fields are ignored, unknown block types are kept as
 * `other`) because Anthropic adds fields and block types over time; only what the mappers read
 * is required.
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
import { z } from 'zod';

const count = z.number().int().nonnegative().nullish();

/** Token counts; all optional because `message_delta` carries only some of them. */
export const anthropicUsageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
  /** The split of `cache_creation_input_tokens` by cache duration (absent from older answers). */
  cache_creation: z.object({ ephemeral_5m_input_tokens: count, ephemeral_1h_input_tokens: count }).nullish(),
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

const textBlockSchema = z.object({ type: z.literal('text'), text: z.string() });
const thinkingBlockSchema = z.object({ type: z.literal('thinking'), thinking: z.string() });
const toolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
});

/** A response content block; redacted thinking, server-tool and future blocks become `{type: 'other'}`. */
export const anthropicContentBlockSchema = z.union([
  textBlockSchema,
  thinkingBlockSchema,
  toolUseBlockSchema,
  z.object({ type: z.string() }).transform((block) => ({ type: 'other' as const, originalType: block.type })),
]);
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlockSchema>;

/** A non-streaming Messages response. */
export const anthropicMessageSchema = z.object({
  id: z.string(),
  content: z.array(anthropicContentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessageResponse = z.infer<typeof anthropicMessageSchema>;

/** The error object inside an error body or an `error` stream event. */
export const anthropicErrorSchema = z.object({
  type: z.string(),
  message: z.string().optional(),
});

/** `{"type":"error","error":{"type","message"},"request_id"}`. */
export const anthropicErrorBodySchema = z.object({ error: anthropicErrorSchema });

const blockDeltaSchema = z.union([
  z.object({ type: z.literal('text_delta'), text: z.string() }),
  z.object({ type: z.literal('input_json_delta'), partial_json: z.string() }),
  z.object({ type: z.literal('thinking_delta'), thinking: z.string() }),
  // signature_delta, citations_delta and future deltas: not part of OpenAI's chunk.
  z.object({ type: z.string() }).transform((delta) => ({ type: 'other' as const, originalType: delta.type })),
]);
export type AnthropicBlockDelta = z.infer<typeof blockDeltaSchema>;

/** The stream events the transform understands, keyed by `type`. */
export const anthropicStreamEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_start'),
    // `content` is empty, except for blocks that arrive whole (programmatic tool calling).
    message: z.object({
      id: z.string(),
      usage: anthropicUsageSchema.nullish(),
      content: z.array(anthropicContentBlockSchema).nullish(),
    }),
  }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number().int(),
    content_block: anthropicContentBlockSchema,
  }),
  z.object({ type: z.literal('content_block_delta'), index: z.number().int(), delta: blockDeltaSchema }),
  z.object({ type: z.literal('content_block_stop'), index: z.number().int() }),
  z.object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: anthropicUsageSchema.nullish(),
  }),
  z.object({ type: z.literal('message_stop') }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('error'), error: anthropicErrorSchema }),
]);
export type AnthropicStreamEvent = z.infer<typeof anthropicStreamEventSchema>;

/** The event types above; others (added by Anthropic later) are skipped rather than fatal. */
export const KNOWN_STREAM_EVENTS: ReadonlySet<string> = new Set([
  'message_start',
  'content_block_start',
  'content_block_delta',
  'content_block_stop',
  'message_delta',
  'message_stop',
  'ping',
  'error',
]);
