/**
 * Mistral refuses tool-call ids that are not exactly 9 ASCII letters or digits ("Tool call id was
 * call_0fypS1hVX but must be a-z, A-Z, 0-9, with a length of 9"), which every OpenAI-style id
 * (`call_…`) violates. Ids are rewritten deterministically, so the same conversation replayed turn
 * after turn always maps to the same upstream ids, and the mapping restores the client's ids.
 *
 * @see docs/providers.md §4.2
 */
import { createHash } from 'node:crypto';
import type { ChatMessage } from '../../openai/types.js';

const MISTRAL_TOOL_ID = /^[a-zA-Z0-9]{9}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The Mistral-valid id for a client id: unchanged if already valid, else 9 characters derived from its SHA-256. */
export function toMistralToolId(id: string): string {
  if (MISTRAL_TOOL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let result = '';
  // 62^9 ≈ 1.3e16 ids: a collision inside one conversation is not a practical concern.
  for (let i = 0; i < 9; i += 1) result += ALPHABET.charAt((digest[i] ?? 0) % ALPHABET.length);
  return result;
}

/** Remembers which upstream id stands for which client id, for one request. */
export class ToolIdMap {
  private readonly originals = new Map<string, string>();

  /** The upstream id for a client id, remembered for {@link toClient}. */
  toUpstream(id: string): string {
    const upstream = toMistralToolId(id);
    if (upstream !== id) this.originals.set(upstream, id);
    return upstream;
  }

  /** The client's original id for an upstream id, or the id itself when it is not one we rewrote. */
  toClient(id: string): string {
    return this.originals.get(id) ?? id;
  }

  /** How many ids were rewritten; zero lets response paths skip the restore walk. */
  get size(): number {
    return this.originals.size;
  }
}

/**
 * Rewrites `assistant.tool_calls[].id` and `tool.tool_call_id` through the map. Copy-on-write: the
 * client's messages are never mutated, because a fallback may send them to another provider.
 */
export function rewriteToolIds(messages: readonly ChatMessage[], map: ToolIdMap): ChatMessage[] {
  return messages.map((message) => {
    if (message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      return {
        ...message,
        tool_calls: message.tool_calls.map((call) => ({ ...call, id: map.toUpstream(call.id) })),
      };
    }
    if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
      return { ...message, tool_call_id: map.toUpstream(message.tool_call_id) };
    }
    return message;
  });
}
