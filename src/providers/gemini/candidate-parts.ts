/**
 * What an OpenAI client can see of a Gemini candidate's parts: its visible text and its function
 * calls. Shared by the non-streaming and streaming mappers so both read parts the same way.
 *
 * @see https://ai.google.dev/api/caching#Part
 */
import { GatewayError } from '../../errors.js';
import { stringifyOr } from '../safe-json.js';
import { extraContentFor, type SignedToolCall } from './thought-signature.js';
import { createToolCallId } from './tool-call-id.js';
import type { GeminiResponsePart } from './wire.js';

export interface CandidateOutput {
  /** The visible text, or undefined when the parts carried none. */
  text: string | undefined;
  /** Thought summaries (sent when the request asked for them), or undefined when there were none. */
  thoughts: string | undefined;
  /** Function calls as OpenAI tool calls with freshly minted ids. */
  toolCalls: SignedToolCall[];
}

/**
 * Joins text parts and turns `functionCall` parts into tool calls. Thought parts (`thought: true`,
 * Gemini's reasoning summaries) are not part of the answer: they are joined apart, for the
 * `reasoning_content` that OpenAI-compatible reasoning hosts use.
 */
function unreadableArguments(): GatewayError {
  return new GatewayError({
    status: 502,
    code: 'upstream_error',
    message: 'Gemini sent function-call arguments that cannot be serialised.',
    failure: 'protocol',
    retryable: true,
  });
}

export function readCandidateParts(parts: readonly GeminiResponsePart[] | null | undefined): CandidateOutput {
  let text: string | undefined;
  let thoughts: string | undefined;
  const toolCalls: SignedToolCall[] = [];
  for (const part of parts ?? []) {
    if (part.thought === true) {
      if (typeof part.text === 'string' && part.text !== '') thoughts = (thoughts ?? '') + part.text;
      continue;
    }
    if (typeof part.text === 'string' && part.text !== '') text = (text ?? '') + part.text;
    if (part.functionCall) {
      toolCalls.push({
        id: createToolCallId(),
        type: 'function',
        function: { name: part.functionCall.name, arguments: stringifyOr(part.functionCall.args ?? {}, unreadableArguments) },
        ...extraContentFor(part.thoughtSignature),
      });
    }
  }
  return { text, thoughts, toolCalls };
}
