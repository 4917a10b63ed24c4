/**
 * What an OpenAI client can see of a Gemini candidate's parts: its visible text, its thoughts (as
 * reasoning) and its function calls. Shared by the non-streaming and streaming mappers so both
 * read parts the same way.
 *
 * @see https://ai.google.dev/api/caching#Part
 */
import { GatewayError } from '../../errors.js';
import { stringifyOr } from '../safe-json.js';
import { PartialArgs } from './partial-args.js';
import { extraContentFor, type SignedToolCall } from './thought-signature.js';
import { createToolCallId } from './tool-call-id.js';
import type { GeminiResponsePart } from './wire.js';

export interface CandidateOutput {
  /** The visible text, or undefined when the parts carried none. */
  text: string | undefined;
  /** The thought summaries (`thought: true` parts), or undefined when there were none or reasoning is off. */
  reasoning: string | undefined;
  /** Function calls as OpenAI tool calls, with Gemini's ids or freshly minted ones. */
  toolCalls: SignedToolCall[];
}

function unreadableArguments(): GatewayError {
  return new GatewayError({
    status: 502,
    code: 'upstream_error',
    message: 'Gemini sent function-call arguments that cannot be serialised.',
    failure: 'protocol',
    retryable: true,
  });
}

/** A function call streamed in pieces, between its first and its last part. */
export interface OpenCall {
  id: string;
  name: string;
  signature: string | null | undefined;
  args: PartialArgs;
}

/**
 * Joins text parts, joins thought parts as reasoning (when `reasoning`), and turns `functionCall`
 * parts into tool calls. A call streamed in pieces is kept in `open` (one per candidate) until its
 * last piece; without `open` (a whole answer) pieces are read as whole calls.
 */
export function readCandidateParts(
  parts: readonly GeminiResponsePart[] | null | undefined,
  reasoning: boolean,
  open?: { call: OpenCall | undefined },
): CandidateOutput {
  let text: string | undefined;
  let thoughts: string | undefined;
  const toolCalls: SignedToolCall[] = [];
  for (const part of parts ?? []) {
    if (part.thought === true) {
      if (reasoning && typeof part.text === 'string' && part.text !== '') thoughts = (thoughts ?? '') + part.text;
      continue;
    }
    if (typeof part.text === 'string' && part.text !== '') text = (text ?? '') + part.text;
    const call = part.functionCall;
    if (!call) continue;
    if (open !== undefined && (open.call !== undefined || call.willContinue === true)) {
      // A call in pieces: the first names it, the last says no more follows.
      const current = (open.call ??= {
        id: call.id ?? createToolCallId(),
        name: call.name ?? '',
        signature: part.thoughtSignature,
        args: new PartialArgs(call.args),
      });
      for (const partial of call.partialArgs ?? []) current.args.add(partial);
      if (call.willContinue !== true) {
        open.call = undefined;
        toolCalls.push(toToolCall(current.id, current.name, current.args.args, current.signature));
      }
      continue;
    }
    const args = new PartialArgs(call.args);
    for (const partial of call.partialArgs ?? []) args.add(partial);
    toolCalls.push(toToolCall(call.id ?? createToolCallId(), call.name ?? '', args.args, part.thoughtSignature));
  }
  return { text, reasoning: thoughts, toolCalls };
}

/** A call still open when its candidate finished: what arrived of it is the call. */
export function closeOpenCall(open: { call: OpenCall | undefined }): SignedToolCall | undefined {
  const current = open.call;
  if (current === undefined) return undefined;
  open.call = undefined;
  return toToolCall(current.id, current.name, current.args.args, current.signature);
}

function toToolCall(
  id: string,
  name: string,
  args: Record<string, unknown>,
  signature: string | null | undefined,
): SignedToolCall {
  return {
    id,
    type: 'function',
    function: { name, arguments: stringifyOr(args, unreadableArguments) },
    ...extraContentFor(signature),
  };
}
