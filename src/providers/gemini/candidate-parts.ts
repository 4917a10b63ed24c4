/**
 * What an OpenAI client can see of a Gemini candidate's parts: its visible text and its function
 * calls. Shared by the non-streaming and streaming mappers so both read parts the same way.
 *
 * @see https://ai.google.dev/api/caching#Part
 */
import { extraContentFor, type SignedToolCall } from './thought-signature.js';
import { createToolCallId } from './tool-call-id.js';
import type { GeminiResponsePart } from './wire.js';

export interface CandidateOutput {
  /** The visible text, or undefined when the parts carried none. */
  text: string | undefined;
  /** Function calls as OpenAI tool calls with freshly minted ids. */
  toolCalls: SignedToolCall[];
}

/**
 * Joins text parts and turns `functionCall` parts into tool calls. Thought parts (`thought: true`,
 * Gemini's reasoning summaries) are skipped: they are not part of the answer, and OpenAI's shape
 * has no place for them.
 */
export function readCandidateParts(parts: readonly GeminiResponsePart[] | null | undefined): CandidateOutput {
  let text: string | undefined;
  const toolCalls: SignedToolCall[] = [];
  for (const part of parts ?? []) {
    if (part.thought === true) continue;
    if (typeof part.text === 'string' && part.text !== '') text = (text ?? '') + part.text;
    if (part.functionCall) {
      toolCalls.push({
        id: createToolCallId(),
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
        ...extraContentFor(part.thoughtSignature),
      });
    }
  }
  return { text, toolCalls };
}
