/**
 * Chat completion chunks → the Responses event stream, as SSE text (`event:` + `data:` per event,
 * OpenAI's framing). Every event carries the next `sequence_number` (from 0). The stream opens
 * with `response.created` and `response.in_progress`; each output item then runs its own
 * sequence, under its own id and `output_index`:
 *
 * - reasoning (from `reasoning_content` deltas): `output_item.added` → `reasoning_summary_part.added`
 *   → `reasoning_summary_text.delta`… → `reasoning_summary_text.done` → `reasoning_summary_part.done`
 *   → `output_item.done`;
 * - a message: `output_item.added` → `content_part.added` → `output_text.delta`… (or
 *   `refusal.delta`…) → `output_text.done` → `content_part.done` → `output_item.done`;
 * - a function call per chat tool call: `output_item.added` → `function_call_arguments.delta`… →
 *   `function_call_arguments.done` → `output_item.done`.
 *
 * Reasoning and text items close when another kind of output starts; function calls stay open
 * until the finish (chat hosts may interleave the fragments of parallel calls). The stream ends
 * with `response.completed` (with usage), `response.incomplete` (cut by the token limit or a
 * filter), or, for a failure after the first byte, an `error` event and `response.failed`.
 */
import type { GatewayError } from '../../errors.js';
import type { ChunkEncoder } from '../../gateway/client-codec.js';
import { SSE_KEEPALIVE, encodeSseEvent } from '../../openai/sse-encoder.js';
import type { ChatCompletionChunk, FinishReason, TokenUsage, ToolCallDelta, Usage } from '../../openai/types.js';
import { toOpenAIUsage } from '../../openai/token-usage.js';
import type { StreamOutput } from '../../providers/provider.js';
import { newId } from './ids.js';
import { functionCallItem, incompleteReason, reasoningText, responseShell } from './response.js';
import type {
  FunctionCallItem,
  FunctionNames,
  ItemStatus,
  OutputItem,
  OutputMessage,
  ReasoningItem,
  ResponseEcho,
  ResponseObject,
} from './types.js';
import { toResponsesUsage } from './usage.js';

interface OpenMessage {
  item: OutputMessage;
  index: number;
  /** The content part being streamed, if any. */
  part: { kind: 'output_text' | 'refusal'; contentIndex: number; text: string } | undefined;
}

interface OpenReasoning {
  item: ReasoningItem;
  index: number;
  text: string;
}

interface OpenCall {
  item: FunctionCallItem;
  index: number;
  upstreamName: string;
}

/** OpenAI's `response.error.code` values a gateway failure can honestly map to. */
function failureCode(error: GatewayError): string {
  return error.status === 429 ? 'rate_limit_exceeded' : 'server_error';
}

export class ResponsesStreamEncoder implements ChunkEncoder {
  /** Chunk objects: the events are built from their fields. */
  readonly acceptsEncoded = false;
  /** A comment line: Responses clients ignore it like any SSE parser. */
  readonly keepAlive = SSE_KEEPALIVE;
  private readonly id = newId('resp');
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private sequence = 0;
  private started = false;
  private readonly output: OutputItem[] = [];
  private message: OpenMessage | undefined;
  private reasoning: OpenReasoning | undefined;
  /** Open function calls by their chat `index`. */
  private readonly calls = new Map<number, OpenCall>();
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;

  constructor(
    private readonly echo: ResponseEcho,
    private readonly names: FunctionNames,
  ) {}

  /** The events for a batch of chunks (the stream's first events come with the first batch). */
  encode(chunks: readonly StreamOutput[]): string {
    let out = this.start();
    // acceptsEncoded is false, so the transform was made to give chunk objects only.
    for (const chunk of chunks as readonly ChatCompletionChunk[]) {
      if (chunk.usage !== undefined && chunk.usage !== null) this.usage = chunk.usage;
      // Responses has no `n`: the request never asks for more than one choice.
      const choice = chunk.choices[0];
      if (choice === undefined) continue;
      const delta = choice.delta;
      const reasoning = reasoningText(delta);
      if (reasoning !== undefined) out += this.reasoningDelta(reasoning);
      if (typeof delta.content === 'string' && delta.content !== '') out += this.messageDelta('output_text', delta.content);
      if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.messageDelta('refusal', delta.refusal);
      if (delta.tool_calls !== undefined) for (const call of delta.tool_calls) out += this.callDelta(call);
      if (choice.finish_reason !== null && choice.finish_reason !== undefined) {
        this.finish = choice.finish_reason;
        out += this.closeAll();
      }
    }
    return out;
  }

  /**
   * The end of a complete answer: open items close, then `response.completed` or
   * `response.incomplete`, with the usage chunk's numbers (their details included) or else the
   * transform's final counts.
   */
  done(final: TokenUsage | undefined): string {
    let out = this.start() + this.closeAll();
    const reason = incompleteReason(this.finish);
    const response = this.snapshot(reason === null ? 'completed' : 'incomplete');
    if (reason !== null) response.incomplete_details = { reason };
    else response.completed_at = Math.floor(Date.now() / 1000);
    if (this.usage !== undefined) response.usage = toResponsesUsage(this.usage);
    else if (final !== undefined) {
      response.usage = toResponsesUsage(toOpenAIUsage(final));
    }
    out += this.event(reason === null ? 'response.completed' : 'response.incomplete', { response });
    return out;
  }

  /** A failure after the first byte: OpenAI's `error` event, then `response.failed` with what was produced. */
  error(error: GatewayError): string {
    let out = this.start();
    out += this.event('error', { code: error.code ?? error.type, message: error.message, param: error.param });
    const response = this.snapshot('failed');
    response.error = { code: failureCode(error), message: error.message };
    for (const item of response.output) if (item.status === 'in_progress') item.status = 'incomplete';
    out += this.event('response.failed', { response });
    return out;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.snapshot('in_progress');
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  private snapshot(status: ResponseObject['status']): ResponseObject {
    const response = responseShell(this.id, this.createdAt, this.echo, status);
    // Copies: the events carry the items as they are now.
    response.output = this.output.map((item) => structuredClone(item));
    return response;
  }

  /** One event; `fields` follow `type` and `sequence_number`, in OpenAI's order. */
  private event(type: string, fields: Record<string, unknown>): string {
    const json = JSON.stringify(Object.assign({ type, sequence_number: this.sequence++ }, fields));
    return encodeSseEvent(type, json);
  }

  private addItem(item: OutputItem): { index: number; out: string } {
    const index = this.output.length;
    this.output.push(item);
    return { index, out: this.event('response.output_item.added', { output_index: index, item }) };
  }

  private reasoningDelta(text: string): string {
    let out = '';
    if (this.reasoning === undefined) {
      out += this.closeMessage();
      const item: ReasoningItem = { id: newId('rs'), type: 'reasoning', summary: [] };
      const added = this.addItem(item);
      this.reasoning = { item, index: added.index, text: '' };
      out += added.out;
      out += this.event('response.reasoning_summary_part.added', {
        item_id: item.id,
        output_index: added.index,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      });
    }
    const open = this.reasoning;
    open.text += text;
    // The hot path: built as text, no intermediate object.
    out += encodeSseEvent(
      'response.reasoning_summary_text.delta',
      `{"type":"response.reasoning_summary_text.delta","sequence_number":${this.sequence++},"item_id":"${open.item.id}","output_index":${open.index},"summary_index":0,"delta":${JSON.stringify(text)}}`,
    );
    return out;
  }

  private closeReasoning(): string {
    const open = this.reasoning;
    if (open === undefined) return '';
    this.reasoning = undefined;
    const { item, index, text } = open;
    let out = this.event('response.reasoning_summary_text.done', {
      item_id: item.id,
      output_index: index,
      summary_index: 0,
      text,
    });
    const part = { type: 'summary_text' as const, text };
    out += this.event('response.reasoning_summary_part.done', { item_id: item.id, output_index: index, summary_index: 0, part });
    item.summary = [part];
    out += this.event('response.output_item.done', { output_index: index, item });
    return out;
  }

  private messageDelta(kind: 'output_text' | 'refusal', text: string): string {
    let out = this.closeReasoning();
    if (this.message === undefined) {
      const item: OutputMessage = { id: newId('msg'), type: 'message', status: 'in_progress', role: 'assistant', content: [] };
      const added = this.addItem(item);
      this.message = { item, index: added.index, part: undefined };
      out += added.out;
    }
    const open = this.message;
    if (open.part?.kind !== kind) {
      out += this.closePart(open);
      const contentIndex = open.item.content.length;
      const part = kind === 'output_text' ? { type: kind, text: '', annotations: [], logprobs: [] } : { type: kind, refusal: '' };
      open.item.content.push(part);
      open.part = { kind, contentIndex, text: '' };
      out += this.event('response.content_part.added', {
        item_id: open.item.id,
        output_index: open.index,
        content_index: contentIndex,
        part,
      });
    }
    const part = open.part;
    part.text += text;
    const content = open.item.content[part.contentIndex];
    if (content?.type === 'output_text') content.text = part.text;
    else if (content?.type === 'refusal') content.refusal = part.text;
    const type = kind === 'output_text' ? 'response.output_text.delta' : 'response.refusal.delta';
    out += encodeSseEvent(
      type,
      `{"type":"${type}","sequence_number":${this.sequence++},"item_id":"${open.item.id}","output_index":${open.index},"content_index":${part.contentIndex},"delta":${JSON.stringify(text)}${kind === 'output_text' ? ',"logprobs":[]' : ''}}`,
    );
    return out;
  }

  private closePart(open: OpenMessage): string {
    const part = open.part;
    if (part === undefined) return '';
    open.part = undefined;
    const base = { item_id: open.item.id, output_index: open.index, content_index: part.contentIndex };
    let out =
      part.kind === 'output_text'
        ? this.event('response.output_text.done', Object.assign({}, base, { text: part.text, logprobs: [] }))
        : this.event('response.refusal.done', Object.assign({}, base, { refusal: part.text }));
    out += this.event('response.content_part.done', Object.assign({}, base, { part: open.item.content[part.contentIndex] }));
    return out;
  }

  private closeMessage(status: ItemStatus = 'completed'): string {
    const open = this.message;
    if (open === undefined) return '';
    let out = this.closePart(open);
    this.message = undefined;
    open.item.status = status;
    out += this.event('response.output_item.done', { output_index: open.index, item: open.item });
    return out;
  }

  private callDelta(delta: ToolCallDelta): string {
    let out = '';
    let open = this.calls.get(delta.index);
    if (open === undefined) {
      out += this.closeReasoning() + this.closeMessage();
      const upstreamName = delta.function?.name ?? '';
      const item = functionCallItem(this.names, upstreamName, delta.id ?? newId('call'), '', 'in_progress');
      const added = this.addItem(item);
      open = { item, index: added.index, upstreamName };
      this.calls.set(delta.index, open);
      out += added.out;
    } else if (delta.function?.name !== undefined && delta.function.name !== open.upstreamName) {
      // A host that sends the name in pieces: the item carries the whole name when it is done.
      open.upstreamName += delta.function.name;
      const renamed = functionCallItem(this.names, open.upstreamName, open.item.call_id, open.item.arguments, 'in_progress');
      open.item.name = renamed.name;
      if (renamed.namespace !== undefined) open.item.namespace = renamed.namespace;
    }
    const args = delta.function?.arguments;
    if (typeof args === 'string' && args !== '') {
      open.item.arguments += args;
      out += encodeSseEvent(
        'response.function_call_arguments.delta',
        `{"type":"response.function_call_arguments.delta","sequence_number":${this.sequence++},"item_id":"${open.item.id}","output_index":${open.index},"delta":${JSON.stringify(args)}}`,
      );
    }
    return out;
  }

  private closeAll(): string {
    const status: ItemStatus = incompleteReason(this.finish) === null ? 'completed' : 'incomplete';
    let out = this.closeReasoning() + this.closeMessage(status);
    for (const open of this.calls.values()) {
      const { item, index } = open;
      item.status = status;
      out += this.event('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: index,
        name: item.name,
        arguments: item.arguments,
      });
      out += this.event('response.output_item.done', { output_index: index, item });
    }
    this.calls.clear();
    return out;
  }
}
