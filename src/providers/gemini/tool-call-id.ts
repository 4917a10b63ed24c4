/**
 * Ids for the tool calls Gemini returns. The Gemini Developer API usually sends no
 * `functionCall.id`, but OpenAI clients need one to answer each call with a `tool` message.
 */
import { randomBytes } from 'node:crypto';

/**
 * A fresh `call_…` id. Random rather than derived from the response: responses without a
 * `responseId` would otherwise give the same id to calls of different turns, and the gateway
 * recovers a function's name from its id when the conversation is replayed. 29 characters keeps
 * it under the 40 OpenAI accepts, in case a fallback sends the history to OpenAI.
 */
export function createToolCallId(): string {
  return `call_${randomBytes(18).toString('base64url')}`;
}

const MINTED = /^call_[A-Za-z0-9_-]{24}$/;

/**
 * Whether an id is one of ours (or OpenAI's, which looks the same): Gemini gave none, so none is
 * echoed back in functionCall / functionResponse. Any other id came from Gemini (or a client) and
 * goes back with the call and its result.
 */
export function isMintedToolCallId(id: string): boolean {
  return MINTED.test(id);
}
