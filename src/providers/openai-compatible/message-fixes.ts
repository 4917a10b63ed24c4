/**
 * What OpenAI-compatible hosts send in their own way inside a message or a stream delta, put the
 * way OpenAI's clients read it:
 *  - content as a list of parts (Mistral's reasoning models: `thinking` and `text` parts) becomes
 *    the text as a string, and the thinking goes to `reasoning_content`;
 *  - `reasoning` (Groq, OpenRouter, newer vLLM) is named `reasoning_content`, the name the
 *    OpenAI-compatible ecosystem reads (DeepSeek's), so every provider exposes reasoning one way;
 *  - a request that turned reasoning off gets none;
 *  - tool calls without `type` (Mistral) get `type: "function"`; streamed ones without `index`
 *    (Mistral) are numbered in order, or the SDKs assemble no tool call at all.
 */
import { isRecord } from '../../lib/is-record.js';

/** The text and the thinking of a list of content parts. */
export function splitContentParts(parts: readonly unknown[]): { text: string; reasoning: string } {
  let text = '';
  let reasoning = '';
  for (const part of parts) {
    if (typeof part === 'string') text += part;
    else if (isRecord(part)) {
      if (part.type === 'text' && typeof part.text === 'string') text += part.text;
      else if (part.type === 'thinking') reasoning += thinkingText(part.thinking);
    }
    // Other parts (Mistral's `reference` chunks) carry no text.
  }
  return { text, reasoning };
}

/** A thinking part's text: a string, or (Mistral) a list of text parts. */
function thinkingText(thinking: unknown): string {
  if (typeof thinking === 'string') return thinking;
  if (!Array.isArray(thinking)) return '';
  let text = '';
  for (const part of thinking) {
    if (typeof part === 'string') text += part;
    else if (isRecord(part) && typeof part.text === 'string') text += part.text;
  }
  return text;
}

/**
 * Fixes a non-streamed message in place. `reasoning`: whether the client wants reasoning. With
 * content as parts and no text in them, content is null (as OpenAI sends beside tool calls).
 */
export function fixMessage(message: Record<string, unknown>, reasoning: boolean): void {
  if (Array.isArray(message.content)) {
    const parts = splitContentParts(message.content);
    message.content = parts.text === '' ? null : parts.text;
    if (parts.reasoning !== '') appendReasoning(message, parts.reasoning);
  }
  renameReasoning(message);
  if (!reasoning) message.reasoning_content = undefined;
  const calls = message.tool_calls;
  if (Array.isArray(calls)) {
    for (const call of calls) if (isRecord(call) && typeof call.type !== 'string') call.type = 'function';
  }
}

/** Per streamed choice: whether its role was sent, and how many tool calls it has begun. */
export interface ChoiceState {
  roleSent: boolean;
  toolCalls: number;
}

/**
 * Fixes a stream delta in place (returns the delta to send, which is new when the choice's first
 * delta had none or lacked its role: the SDKs' stream helpers need the role on the first chunk).
 */
export function fixDelta(delta: unknown, state: ChoiceState, reasoning: boolean): unknown {
  const first = !state.roleSent;
  state.roleSent = true;
  if (!isRecord(delta)) return first ? { role: 'assistant' } : delta;
  if (Array.isArray(delta.content)) {
    const parts = splitContentParts(delta.content);
    delta.content = parts.text === '' ? undefined : parts.text;
    if (parts.reasoning !== '') appendReasoning(delta, parts.reasoning);
  }
  renameReasoning(delta);
  if (!reasoning) delta.reasoning_content = undefined;
  const calls = delta.tool_calls;
  if (Array.isArray(calls)) {
    for (const call of calls) if (isRecord(call)) numberToolCall(call, state);
  }
  if (!first || typeof delta.role === 'string') return delta;
  const opening: Record<string, unknown> = { role: 'assistant', ...delta };
  opening.role = 'assistant';
  return opening;
}

/**
 * A streamed tool call without `index` is a new call when it carries an id, else more of the last
 * one; one with an `id` but no `type` gets `type: "function"`.
 */
function numberToolCall(call: Record<string, unknown>, state: ChoiceState): void {
  if (typeof call.index === 'number') {
    if (call.index >= state.toolCalls) state.toolCalls = call.index + 1;
  } else if (typeof call.id === 'string' || state.toolCalls === 0) call.index = state.toolCalls++;
  else call.index = state.toolCalls - 1;
  if (typeof call.id === 'string' && typeof call.type !== 'string') call.type = 'function';
}

function appendReasoning(target: Record<string, unknown>, text: string): void {
  const existing = target.reasoning_content;
  target.reasoning_content = typeof existing === 'string' ? existing + text : text;
}

/** A string `reasoning` → `reasoning_content` (only dropped when both are there). */
function renameReasoning(target: Record<string, unknown>): void {
  if (typeof target.reasoning !== 'string') return;
  if (typeof target.reasoning_content !== 'string') target.reasoning_content = target.reasoning;
  target.reasoning = undefined;
}
