/**
 * Gemini GenerateContentResponse → OpenAI ChatCompletion.
 *
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import { randomUUID } from 'node:crypto';
import type { ChatCompletion } from '../../openai/types.js';
import { readCandidateParts } from './candidate-parts.js';
import { mapFinishReason } from './finish-reason.js';
import { toOpenAIUsage } from './usage.js';
import { generateContentResponseSchema, parseUpstream, type GenerateContentResponse } from './wire.js';

export interface ResponseOptions {
  publicModel: string;
  /** The `n` the client asked for; Gemini's `candidateCount`. */
  choices: number;
  /** Whether the client wants the thoughts, as `reasoning_content`. */
  reasoning: boolean;
}

/** Maps a non-streaming body; throws a 502 'protocol' GatewayError for a body it cannot read. */
export function toChatCompletion(json: unknown, options: ResponseOptions): ChatCompletion {
  const response = parseUpstream(generateContentResponseSchema, json, 'response');
  const candidates = (response.candidates ?? []).slice(0, Math.max(1, options.choices));
  const completion: ChatCompletion = {
    id: completionId(response),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.publicModel,
    choices:
      candidates.length > 0
        ? candidates.map((candidate, position) => {
            const { text, reasoning, toolCalls } = readCandidateParts(candidate.content?.parts, options.reasoning);
            return {
              index: candidate.index ?? position,
              message: {
                role: 'assistant' as const,
                // OpenAI sends null content only alongside tool calls; "" keeps `content.trim()` safe.
                content: text ?? (toolCalls.length > 0 ? null : ''),
                refusal: null,
                ...(reasoning !== undefined ? { reasoning_content: reasoning } : {}),
                ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
              },
              logprobs: null,
              finish_reason: mapFinishReason(candidate.finishReason, toolCalls.length > 0),
            };
          })
        : [blockedChoice(response)],
  };
  if (response.usageMetadata) completion.usage = toOpenAIUsage(response.usageMetadata);
  return completion;
}

/**
 * No candidates: Gemini refused the prompt itself (`promptFeedback.blockReason`). Clients get a
 * normal answer with empty content and `content_filter`, as OpenAI reports its own filtering,
 * instead of an error they would retry.
 */
function blockedChoice(response: GenerateContentResponse): ChatCompletion['choices'][number] {
  return {
    index: 0,
    message: { role: 'assistant', content: '', refusal: null },
    logprobs: null,
    finish_reason: response.promptFeedback?.blockReason ? 'content_filter' : 'stop',
  };
}

/** `chatcmpl-` + Gemini's response id when it sent one, so logs on both sides can be matched. */
export function completionId(response: GenerateContentResponse): string {
  return `chatcmpl-${response.responseId ?? randomUUID().replaceAll('-', '')}`;
}
