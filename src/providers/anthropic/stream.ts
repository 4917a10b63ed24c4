/**
 * Anthropic stream events → OpenAI chat.completion.chunk objects.
 *
 * Anthropic numbers content blocks (text, thinking, tool_use…) in one sequence; OpenAI numbers
 * tool calls on their own (0, 1, …). The transform keeps, per block index, what kind of block it
 * is and which tool-call index it became, so argument fragments land on the right call.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import { GatewayError } from '../../errors.js';
import type { ChatCompletionChunk, FinishReason, TokenUsage } from '../../openai/types.js';
import type { SseEvent, StreamTransform } from '../provider.js';
import { anthropicProtocolError, anthropicStreamError } from './errors.js';
import { toFinishReason } from './finish-reason.js';
import {
  anthropicStreamEventSchema,
  KNOWN_STREAM_EVENTS,
  type AnthropicBlockDelta,
  type AnthropicContentBlock,
  type AnthropicStreamEvent,
} from './schema.js';
import { mergeAnthropicUsage, toOpenAIUsage, toTokenUsage, type AnthropicUsageCounts } from './usage.js';

export interface AnthropicStreamOptions {
  publicModel: string;
  includeUsage: boolean;
  /** The synthetic `response_format` tool whose input is streamed as content (see tools.ts). */
  answerTool: string | undefined;
  /** Whether the client wants the thinking, as `reasoning_content`. */
  reasoning: boolean;
}

type BlockState =
  | { kind: 'text' }
  | { kind: 'thinking' }
  /** `input`: the input given whole in content_block_start, sent at the block's end if no fragment followed. */
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean; input: string | undefined }
  | { kind: 'answer'; sentContent: boolean }
  | { kind: 'ignored' };

/** Everything the transform remembers between events. */
interface AnthropicStreamState {
  /** `chatcmpl-` + Anthropic's message id, known from `message_start`. */
  id: string | undefined;
  created: number;
  blocks: Map<number, BlockState>;
  toolCallCount: number;
  finishReason: FinishReason | undefined;
  usage: AnthropicUsageCounts | undefined;
  finished: boolean;
}

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/** A fresh transform for one streamed answer (`ChatTranslation.createStream`). */
export function createAnthropicStream(options: AnthropicStreamOptions): StreamTransform {
  return new AnthropicStreamTransform(options);
}

class AnthropicStreamTransform implements StreamTransform {
  private readonly state: AnthropicStreamState = {
    id: undefined,
    created: Math.floor(Date.now() / 1000),
    blocks: new Map(),
    toolCallCount: 0,
    finishReason: undefined,
    usage: undefined,
    finished: false,
  };

  constructor(private readonly options: AnthropicStreamOptions) {}

  get finished(): boolean {
    return this.state.finished;
  }

  /** After `message_stop` push() and end() return nothing and the usage cannot change. */
  get complete(): boolean {
    return this.state.finished;
  }

  usage(): TokenUsage | undefined {
    return this.state.usage === undefined ? undefined : toTokenUsage(this.state.usage);
  }

  push(sse: SseEvent): ChatCompletionChunk[] {
    if (this.state.finished) return [];
    const event = parseEvent(sse);
    return event === undefined ? [] : this.handle(event);
  }

  end(): ChatCompletionChunk[] {
    if (this.state.finished) return [];
    throw new GatewayError({
      status: 502,
      message: 'The upstream stream ended before it was complete',
      type: 'upstream_error',
      code: 'upstream_error',
      retryable: true,
      failure: 'reset',
    });
  }

  private handle(event: AnthropicStreamEvent): ChatCompletionChunk[] {
    const state = this.state;
    switch (event.type) {
      case 'ping':
        return [];
      case 'error':
        throw anthropicStreamError(event.error);
      case 'message_start': {
        state.id = `chatcmpl-${event.message.id}`;
        if (event.message.usage) state.usage = mergeAnthropicUsage(state.usage, event.message.usage);
        const chunks = [this.chunk({ role: 'assistant', content: '' })];
        // Blocks that arrive whole in message_start (programmatic tool calling) come first.
        (event.message.content ?? []).forEach((block, index) => {
          chunks.push(...this.startBlock(index, block), ...this.stopBlock(index));
        });
        return chunks;
      }
      case 'content_block_start':
        return this.startBlock(event.index, event.content_block);
      case 'content_block_delta':
        return this.blockDelta(event.index, event.delta);
      case 'content_block_stop':
        return this.stopBlock(event.index);
      case 'message_delta':
        // Anthropic's counts here are running totals: merge overwrites, never adds.
        if (event.usage) state.usage = mergeAnthropicUsage(state.usage, event.usage);
        if (event.delta.stop_reason == null || state.finishReason !== undefined) return [];
        state.finishReason = toFinishReason(event.delta.stop_reason, state.toolCallCount > 0);
        return [this.chunk({}, state.finishReason)];
      case 'message_stop':
        return this.stop();
    }
  }

  private startBlock(index: number, block: AnthropicContentBlock): ChatCompletionChunk[] {
    if (block.type === 'tool_use' && block.name === this.options.answerTool) {
      this.state.blocks.set(index, { kind: 'answer', sentContent: false });
      return [];
    }
    if (block.type === 'tool_use') {
      const toolIndex = this.state.toolCallCount++;
      // Usually `{}` with the input streamed after it; some tool calls arrive with their input whole.
      const input = Object.keys(block.input).length > 0 ? JSON.stringify(block.input) : undefined;
      this.state.blocks.set(index, { kind: 'tool', toolIndex, sentArguments: false, input });
      const call = { index: toolIndex, id: block.id, type: 'function' as const };
      return [this.chunk({ tool_calls: [{ ...call, function: { name: block.name, arguments: '' } }] })];
    }
    if (block.type === 'thinking' && this.options.reasoning) {
      this.state.blocks.set(index, { kind: 'thinking' });
      return block.thinking === '' ? [] : [this.chunk({ reasoning_content: block.thinking })];
    }
    // With response_format, content is only the answer tool's JSON (see response.ts), so text is dropped.
    if (block.type === 'text' && this.options.answerTool === undefined) {
      this.state.blocks.set(index, { kind: 'text' });
      return block.text === '' ? [] : [this.chunk({ content: block.text })];
    }
    this.state.blocks.set(index, { kind: 'ignored' });
    return [];
  }

  private blockDelta(index: number, delta: AnthropicBlockDelta): ChatCompletionChunk[] {
    const block = this.block(index);
    if (delta.type === 'text_delta' && block.kind === 'text' && delta.text !== '') {
      return [this.chunk({ content: delta.text })];
    }
    if (delta.type === 'thinking_delta' && block.kind === 'thinking' && delta.thinking !== '') {
      return [this.chunk({ reasoning_content: delta.thinking })];
    }
    // Empty fragments (Anthropic sends one first) carry nothing and are skipped.
    if (delta.type !== 'input_json_delta' || delta.partial_json === '') return [];
    if (block.kind === 'tool') {
      block.sentArguments = true;
      return [this.chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: delta.partial_json } }] })];
    }
    if (block.kind === 'answer') {
      block.sentContent = true;
      return [this.chunk({ content: delta.partial_json })];
    }
    return [];
  }

  /**
   * A tool whose input came whole sends it now; one with no input sent no fragment, and `{}` lets
   * clients JSON.parse the arguments as usual.
   */
  private stopBlock(index: number): ChatCompletionChunk[] {
    const block = this.block(index);
    if (block.kind === 'tool' && !block.sentArguments) {
      block.sentArguments = true;
      return [this.chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: block.input ?? '{}' } }] })];
    }
    if (block.kind === 'answer' && !block.sentContent) return [this.chunk({ content: '{}' })];
    return [];
  }

  private stop(): ChatCompletionChunk[] {
    const state = this.state;
    state.finished = true;
    const chunks: ChatCompletionChunk[] = [];
    // message_stop without a stop reason still ends the answer; OpenAI clients expect a finish_reason.
    if (state.finishReason === undefined) {
      state.finishReason = 'stop';
      chunks.push(this.chunk({}, state.finishReason));
    }
    if (this.options.includeUsage) {
      // Anthropic always reports usage in message_start; zeros only if it ever stops doing so.
      const usage = state.usage ?? mergeAnthropicUsage(undefined, {});
      chunks.push({ ...this.chunk({}), choices: [], usage: toOpenAIUsage(usage) });
    }
    return chunks;
  }

  private block(index: number): BlockState {
    const block = this.state.blocks.get(index);
    if (block === undefined) {
      throw anthropicProtocolError(`Anthropic streamed an event for unknown content block ${index}.`);
    }
    return block;
  }

  private chunk(delta: Delta, finishReason: FinishReason | null = null): ChatCompletionChunk {
    if (this.state.id === undefined) throw anthropicProtocolError('Anthropic streamed content before message_start.');
    return {
      id: this.state.id,
      object: 'chat.completion.chunk',
      created: this.state.created,
      model: this.options.publicModel,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    };
  }
}

/** Parses one SSE event; undefined for event types this transform does not know (forward-compatible). */
function parseEvent(sse: SseEvent): AnthropicStreamEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(sse.data);
  } catch (cause) {
    throw anthropicProtocolError('Anthropic streamed an event that is not JSON.', cause);
  }
  // data.type is the source of truth; the `event:` name is only a copy of it.
  const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
  if (typeof type !== 'string') throw anthropicProtocolError('Anthropic streamed an event without a type.');
  if (!KNOWN_STREAM_EVENTS.has(type)) return undefined;
  const parsed = anthropicStreamEventSchema.safeParse(json);
  if (!parsed.success) throw anthropicProtocolError(`Anthropic streamed a malformed ${type} event.`, parsed.error);
  return parsed.data;
}
