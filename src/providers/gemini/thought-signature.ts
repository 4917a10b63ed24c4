/**
 * Gemini thought signatures on tool calls. Gemini 3 attaches an opaque `thoughtSignature` to the
 * first `functionCall` of each step and answers 400 when a replayed history omits it. OpenAI's
 * shape has no such field, so we carry it the way Gemini's own OpenAI-compatible endpoint does:
 * `tool_calls[i].extra_content.google.thought_signature`. Clients that append the assistant
 * message to their history unchanged send it back for free.
 *
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
import type { ToolCall, ToolCallDelta } from '../../openai/types.js';

/**
 * Google's documented placeholder for function calls Gemini did not sign (history from another
 * model, or a client that dropped `extra_content`). Without it Gemini 3 rejects the whole request;
 * with it the call is accepted, at the cost of the model not seeing its earlier reasoning.
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** Gemini's OpenAI-compatible extension field for the signature. */
export interface GoogleExtraContent {
  extra_content?: { google: { thought_signature: string } };
}

export type SignedToolCall = ToolCall & GoogleExtraContent;
export type SignedToolCallDelta = ToolCallDelta & GoogleExtraContent;

/** The signature a client echoed back on a tool call, if any. */
export function thoughtSignatureOf(toolCall: ToolCall): string | undefined {
  const extra: unknown = (toolCall as ToolCall & Record<string, unknown>)['extra_content'];
  if (typeof extra !== 'object' || extra === null) return undefined;
  const google: unknown = (extra as Record<string, unknown>)['google'];
  if (typeof google !== 'object' || google === null) return undefined;
  const signature: unknown = (google as Record<string, unknown>)['thought_signature'];
  return typeof signature === 'string' && signature !== '' ? signature : undefined;
}

/** The `extra_content` field for a tool call, or nothing when Gemini sent no signature. */
export function extraContentFor(signature: string | null | undefined): GoogleExtraContent {
  return signature ? { extra_content: { google: { thought_signature: signature } } } : {};
}
