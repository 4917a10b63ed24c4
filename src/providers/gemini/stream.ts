/**
 * Gemini `streamGenerateContent?alt=sse` events → OpenAI chat.completion.chunk objects.
 *
 * Each event's data is a whole GenerateContentResponse holding only what is new: text and thoughts
 * to append, and function calls, which arrive whole except on Vertex AI with streamed arguments
 * (partial-args.ts), where they are assembled and sent once complete. There is no end sentinel: the stream is complete once every candidate carried a `finishReason`, and a
 * connection that closes before that was cut, which must not look like a clean finish.
 *
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk, TokenUsage, Usage } from '../../openai/types.js';
import type { SseEvent, StreamTransform } from '../provider.js';
import { closeOpenCall, readCandidateParts, type OpenCall } from './candidate-parts.js';
import { googleError, parseErrorBody } from './errors.js';
import { mapFinishReason } from './finish-reason.js';
import { completionId } from './response.js';
import { toOpenAIUsage, toTokenUsage } from './usage.js';
import { generateContentResponseSchema, parseUpstream, type GeminiCandidate, type GeminiUsageMetadata } from './wire.js';

export interface StreamOptions {
  publicModel: string;
  includeUsage: boolean;
  /** Whether the client wants the thoughts, as `reasoning_content`. */
  reasoning: boolean;
}

type Choice = ChatCompletionChunk['choices'][number];

interface CandidateState {
  roleSent: boolean;
  /** Tool calls emitted so far: the next call's `index` in OpenAI's `tool_calls` array. */
  toolCalls: number;
  /** A function call streamed in pieces, until its last piece. */
  open: { call: OpenCall | undefined };
  finished: boolean;
}

/** A fresh transform for one streamed answer. */
export function createGeminiStream(options: StreamOptions): StreamTransform {
  return new GeminiStream(options);
}

class GeminiStream implements StreamTransform {
  readonly #options: StreamOptions;
  readonly #created = Math.floor(Date.now() / 1000);
  readonly #candidates = new Map<number, CandidateState>();
  #id: string | undefined;
  #metadata: GeminiUsageMetadata | undefined;
  #promptBlocked = false;

  constructor(options: StreamOptions) {
    this.#options = options;
  }

  get finished(): boolean {
    if (this.#promptBlocked) return true;
    return this.#candidates.size > 0 && [...this.#candidates.values()].every((state) => state.finished);
  }

  /** Never: a usage chunk may follow the final finish reason, and end() emits the usage chunk. */
  get complete(): boolean {
    return false;
  }

  push(event: SseEvent): ChatCompletionChunk[] {
    const json = parseData(event.data);
    if (typeof json === 'object' && json !== null && 'error' in json) {
      const body = parseErrorBody(event.data);
      throw googleError(body, body?.error.code ?? 502, 'protocol', event.data);
    }
    const response = parseUpstream(generateContentResponseSchema, json, 'stream chunk');
    this.#id ??= completionId(response);
    // Counts are cumulative, so the last one reported is the total.
    if (response.usageMetadata) this.#metadata = response.usageMetadata;

    const candidates = response.candidates ?? [];
    if (candidates.length === 0 && response.promptFeedback?.blockReason && !this.#promptBlocked) {
      this.#promptBlocked = true;
      return [
        this.#chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: 'content_filter' }]),
      ];
    }
    return candidates.flatMap((candidate, position) => this.#candidateChunks(candidate, candidate.index ?? position));
  }

  end(): ChatCompletionChunk[] {
    if (!this.finished) {
      throw new GatewayError({
        status: 502,
        type: 'upstream_error',
        code: 'upstream_error',
        message: 'The upstream stream ended before it was complete',
        retryable: true,
        failure: 'reset',
      });
    }
    if (!this.#options.includeUsage) return [];
    const usage: Usage = this.#metadata
      ? toOpenAIUsage(this.#metadata)
      : { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    return [{ ...this.#chunk([]), usage }];
  }

  usage(): TokenUsage | undefined {
    return this.#metadata ? toTokenUsage(this.#metadata) : undefined;
  }

  #candidateChunks(candidate: GeminiCandidate, index: number): ChatCompletionChunk[] {
    const state = this.#stateOf(index);
    const chunks: ChatCompletionChunk[] = [];
    const { text, reasoning, toolCalls } = readCandidateParts(candidate.content?.parts, this.#options.reasoning, state.open);
    if (candidate.finishReason) {
      const last = closeOpenCall(state.open);
      if (last !== undefined) toolCalls.push(last);
    }
    if (text !== undefined || reasoning !== undefined || toolCalls.length > 0) {
      const delta: Choice['delta'] = this.#opening(state);
      if (reasoning !== undefined) delta.reasoning_content = reasoning;
      if (text !== undefined) delta.content = text;
      if (toolCalls.length > 0) {
        // Whole calls: id, name and complete arguments in one delta each.
        delta.tool_calls = toolCalls.map((call) => ({ index: state.toolCalls++, ...call }));
      }
      chunks.push(this.#chunk([{ index, delta, logprobs: null, finish_reason: null }]));
    }
    if (candidate.finishReason && !state.finished) {
      state.finished = true;
      const reason = mapFinishReason(candidate.finishReason, state.toolCalls > 0);
      chunks.push(this.#chunk([{ index, delta: this.#opening(state), logprobs: null, finish_reason: reason }]));
    }
    return chunks;
  }

  #stateOf(index: number): CandidateState {
    const known = this.#candidates.get(index);
    if (known !== undefined) return known;
    const state: CandidateState = { roleSent: false, toolCalls: 0, open: { call: undefined }, finished: false };
    this.#candidates.set(index, state);
    return state;
  }

  /** The first delta of a choice names the role, as OpenAI's first chunk does. */
  #opening(state: CandidateState): Choice['delta'] {
    if (state.roleSent) return {};
    state.roleSent = true;
    return { role: 'assistant' };
  }

  #chunk(choices: Choice[]): ChatCompletionChunk {
    return {
      id: this.#id ?? completionId({}),
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#options.publicModel,
      choices,
    };
  }
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch (cause) {
    throw new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_error',
      message: 'Gemini sent a stream event that is not JSON.',
      retryable: true,
      failure: 'protocol',
      cause,
    });
  }
}
