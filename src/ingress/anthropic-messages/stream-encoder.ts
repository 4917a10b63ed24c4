/**
 * Chat chunks (from any provider's stream transform) → Anthropic's stream events, in its exact
 * grammar: `message_start`, then per content block `content_block_start` → deltas →
 * `content_block_stop`, blocks numbered 0, 1, 2… and never interleaved, then `message_delta`
 * (stop reason, usage) and `message_stop`; `ping` during long silences; `error` on a failure after
 * the first byte.
 *
 * - Reasoning deltas (`reasoning_content` or `reasoning`) open a `thinking` block, text a `text`
 *   block; a change of kind closes the open block and opens the next.
 * - The first tool call is streamed live as a `tool_use` block (`input_json_delta` fragments).
 *   OpenAI's stream may interleave the fragments of parallel calls, and a closed block cannot be
 *   reopened, so everything after the first tool call (more calls, more text) is held and written
 *   at the end, each block whole, in the order it began.
 * - `message_delta` is written only at the end of the stream, because a usage chunk may come after
 *   the finish reason: it carries the provider's final usage (input corrected from the estimate
 *   `message_start` had to give, since OpenAI-style hosts count tokens only at the end).
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
import { randomBase62 } from '../../crypto/secrets.js';
import type { GatewayError } from '../../errors.js';
import type { ChunkEncoder } from '../../gateway/client-codec.js';
import { encodeSseEvent } from '../../openai/sse-encoder.js';
import type { ChatCompletionChunk, FinishReason, TokenUsage, ToolCallDelta } from '../../openai/types.js';
import type { StreamOutput } from '../../providers/provider.js';
import { anthropicErrorEvent } from './errors.js';
import { reasoningText } from './response.js';
import { toStop } from './stop-reason.js';
import { toMessageUsage } from './usage.js';

export interface MessagesStreamOptions {
  /** The Message id (`msg_…`). */
  id: string;
  /** The public model string the events carry. */
  model: string;
  /** Input tokens for `message_start` when the first chunk carries no usage. */
  inputTokensEstimate: number;
  /** The request's stop sequences, to recognise the one a host says it stopped on. */
  stopSequences: readonly string[];
}

export const PING_EVENT = encodeSseEvent('ping', '{"type":"ping"}');

type TextKind = 'text' | 'thinking';

/** A block held back until the end (see the file comment). */
type HeldBlock = { kind: TextKind; text: string } | { kind: 'tool'; call: HeldCall };

interface HeldCall {
  id: string | undefined;
  name: string | undefined;
  arguments: string;
}

function event(data: { type: string; [key: string]: unknown }): string {
  return encodeSseEvent(data.type, JSON.stringify(data));
}

const BLOCK_STARTS: Readonly<Record<TextKind, Record<string, string>>> = {
  text: { type: 'text', text: '' },
  thinking: { type: 'thinking', thinking: '', signature: '' },
};

// Deltas are most of a stream: written around the JSON of their one string (which JSON.stringify
// keeps on one line) rather than serialising an object per delta.
const DELTA_HEAD = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":';
const DELTA_FIELDS: Readonly<Record<TextKind | 'json', string>> = {
  text: ',"delta":{"type":"text_delta","text":',
  thinking: ',"delta":{"type":"thinking_delta","thinking":',
  json: ',"delta":{"type":"input_json_delta","partial_json":',
};

function delta(kind: TextKind | 'json', index: number, value: string): string {
  return `${DELTA_HEAD}${index}${DELTA_FIELDS[kind]}${JSON.stringify(value)}}}\n\n`;
}

export class MessagesStreamEncoder implements ChunkEncoder {
  readonly acceptsEncoded = false;
  readonly keepAlive = PING_EVENT;
  private started = false;
  /** Blocks opened so far: the index of the next one. */
  private blockCount = 0;
  /** The block being streamed live, if one is open. */
  private open: { kind: TextKind; index: number } | { kind: 'tool'; index: number; call: number } | undefined;
  /** Set once a tool call went out live: from then on, anything else is held. */
  private liveCall: number | undefined;
  private readonly held: HeldBlock[] = [];
  private readonly heldCalls = new Map<number, HeldCall>();
  private toolUse = false;
  private lastCall = 0;
  private unnumberedCalls = 0;
  private finishReason: FinishReason | null = null;
  /** The finishing choice's `stop_reason` (vLLM, SGLang: the matched stop string). */
  private matchedStop: unknown;
  private inputTokens: number;
  /** Generated characters, for an output count when the provider reports no usage. */
  private outputChars = 0;

  constructor(private readonly options: MessagesStreamOptions) {
    this.inputTokens = options.inputTokensEstimate;
  }

  encode(chunks: readonly StreamOutput[]): string {
    let out = '';
    // acceptsEncoded is false, so the transform was made to give chunk objects only.
    for (const chunk of chunks as readonly ChatCompletionChunk[]) {
      if (!this.started) out += this.start(chunk);
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      const delta = choice.delta;
      if (delta !== undefined && delta !== null) {
        const thinking = reasoningText(delta);
        if (thinking !== undefined) out += this.text('thinking', thinking);
        if (typeof delta.content === 'string' && delta.content !== '') out += this.text('text', delta.content);
        if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.text('text', delta.refusal);
        if (Array.isArray(delta.tool_calls)) for (const call of delta.tool_calls) out += this.toolCall(call);
      }
      // After the content of the same chunk, so a chunk carrying both loses nothing.
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        this.finishReason = choice.finish_reason;
        this.matchedStop = (choice as Record<string, unknown>).stop_reason;
      }
    }
    return out;
  }

  done(usage: TokenUsage | undefined): string {
    let out = this.started ? '' : this.start(undefined);
    out += this.closeOpen();
    for (const block of this.held) out += this.writeHeld(block);
    const final = usage ?? {
      promptTokens: this.inputTokens,
      completionTokens: Math.ceil(this.outputChars / 4),
      cachedTokens: 0,
    };
    out += event({
      type: 'message_delta',
      delta: toStop(this.finishReason, this.toolUse, this.matchedStop, this.options.stopSequences),
      usage: toMessageUsage(final),
    });
    return out + event({ type: 'message_stop' });
  }

  error(error: GatewayError): string {
    return anthropicErrorEvent(error);
  }

  private start(first: ChatCompletionChunk | undefined): string {
    this.started = true;
    const usage = first?.usage;
    // The provider's count when it gives one before the first token, else the estimate.
    if (usage !== undefined && usage !== null && typeof usage.prompt_tokens === 'number') {
      this.inputTokens = usage.prompt_tokens - (usage.prompt_tokens_details?.cached_tokens ?? 0);
    }
    return event({
      type: 'message_start',
      message: {
        id: this.options.id,
        type: 'message',
        role: 'assistant',
        model: this.options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.inputTokens, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    });
  }

  private text(kind: TextKind, text: string): string {
    this.outputChars += text.length;
    if (this.liveCall !== undefined) {
      const last = this.held.at(-1);
      if (last !== undefined && last.kind === kind) last.text += text;
      else this.held.push({ kind, text });
      return '';
    }
    if (this.open?.kind === kind) return delta(kind, this.open.index, text);
    const out = this.closeOpen();
    const index = this.blockCount++;
    this.open = { kind, index };
    return out + event({ type: 'content_block_start', index, content_block: BLOCK_STARTS[kind] }) + delta(kind, index, text);
  }

  private toolCall(delta: ToolCallDelta): string {
    // For a host that numbers no calls, a fragment with an id starts a call and one without continues the last.
    const call =
      typeof delta.index === 'number' ? delta.index : delta.id !== undefined ? -1 - this.unnumberedCalls++ : this.lastCall;
    this.lastCall = call;
    const fragment = delta.function?.arguments ?? '';
    this.outputChars += fragment.length;
    if (call === this.liveCall && this.open?.kind === 'tool') {
      return fragment === '' ? '' : this.jsonDelta(this.open.index, fragment);
    }
    const known = this.heldCalls.get(call);
    if (known !== undefined) {
      known.id ??= delta.id;
      known.name ??= delta.function?.name;
      known.arguments += fragment;
      return '';
    }
    this.toolUse = true;
    if (this.liveCall !== undefined) {
      const held: HeldCall = { id: delta.id, name: delta.function?.name, arguments: fragment };
      this.heldCalls.set(call, held);
      this.held.push({ kind: 'tool', call: held });
      return '';
    }
    const out = this.closeOpen();
    const index = this.blockCount++;
    this.open = { kind: 'tool', index, call };
    this.liveCall = call;
    return out + this.toolStart(index, delta.id, delta.function?.name) + (fragment === '' ? '' : this.jsonDelta(index, fragment));
  }

  private toolStart(index: number, id: string | undefined, name: string | undefined): string {
    return event({
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: id ?? `toolu_${randomBase62(18)}`, name: name ?? '', input: {} },
    });
  }

  private jsonDelta(index: number, partial: string): string {
    return delta('json', index, partial);
  }

  private closeOpen(): string {
    const open = this.open;
    if (open === undefined) return '';
    this.open = undefined;
    return event({ type: 'content_block_stop', index: open.index });
  }

  private writeHeld(block: HeldBlock): string {
    const index = this.blockCount++;
    const stop = event({ type: 'content_block_stop', index });
    if (block.kind === 'tool') {
      const { call } = block;
      const start = this.toolStart(index, call.id, call.name);
      return start + (call.arguments === '' ? '' : this.jsonDelta(index, call.arguments)) + stop;
    }
    return (
      event({ type: 'content_block_start', index, content_block: BLOCK_STARTS[block.kind] }) +
      delta(block.kind, index, block.text) +
      stop
    );
  }
}
