/**
 * Anthropic Messages wire helpers for end-to-end tests: Messages, error bodies and SSE frames as
 * Anthropic writes them (an `event:` line named like `data.type`, then the data line), and a reader
 * for the raw events a client receives.
 */
import type http from 'node:http';
import { json, writeFrames, type Json } from './fake-upstream.js';

export type { Json };

/** One Anthropic SSE event. */
export function anthropicSse(data: Json & { type: string }, eol = '\n'): string {
  return `event: ${data.type}${eol}data: ${JSON.stringify(data)}${eol}${eol}`;
}

/** A non-streaming Anthropic Message. */
export function anthropicMessage(opts: { id?: string; content?: unknown[]; stop_reason?: string; usage?: Json } = {}): Json {
  return {
    id: opts.id ?? 'msg_01Default',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: opts.content ?? [{ type: 'text', text: 'Hello from Claude.' }],
    stop_reason: opts.stop_reason ?? 'end_turn',
    stop_sequence: null,
    usage: opts.usage ?? { input_tokens: 21, output_tokens: 6, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

/** An Anthropic error body, with its `request-id` header. */
export function anthropicError(
  res: http.ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  json(
    res,
    status,
    { type: 'error', error: { type, message }, request_id: 'req_011Err' },
    { 'request-id': 'req_011Err', ...headers },
  );
}

export function messageStart(id: string, usage: Json): Json & { type: string } {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage,
    },
  };
}

export const textStart = (index: number) => ({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
export const textDelta = (index: number, text: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'text_delta', text },
});
export const blockStop = (index: number) => ({ type: 'content_block_stop', index });
export const toolStart = (index: number, id: string, name: string) => ({
  type: 'content_block_start',
  index,
  content_block: { type: 'tool_use', id, name, input: {} },
});
export const jsonDelta = (index: number, partial: string) => ({
  type: 'content_block_delta',
  index,
  delta: { type: 'input_json_delta', partial_json: partial },
});
export const messageDelta = (stopReason: string, usage: Json) => ({
  type: 'message_delta',
  delta: { stop_reason: stopReason, stop_sequence: null },
  usage,
});
export const PING = { type: 'ping' };
export const MESSAGE_STOP = { type: 'message_stop' };

/** Anthropic's stream headers on top of the shared frame writer (events split across writes). */
export function anthropicFrames(
  res: http.ServerResponse,
  frames: string[],
  opts: { pauseMs?: number; end?: 'end' | 'destroy' } = {},
): Promise<void> {
  return writeFrames(res, frames, {
    ...opts,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_011Stream' },
  });
}

/** The events of an SSE body as `{event, data}` pairs (data parsed), in order. */
export function readEvents(text: string): Array<{ event: string | undefined; data: Json }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((frame) => frame.trim() !== '' && !frame.startsWith(':'))
    .map((frame) => {
      const lines = frame.split(/\r?\n/);
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      return { event, data: JSON.parse(data) as Json };
    });
}

/** Checks Anthropic's stream grammar: message_start, per block start → deltas → stop (indices 0, 1, … never interleaved), message_delta, message_stop. */
export function grammarErrors(events: Array<{ event: string | undefined; data: Json }>): string[] {
  const errors: string[] = [];
  const types = events.map((e) => e.data.type).filter((t) => t !== 'ping');
  for (const e of events)
    if (e.event !== e.data.type) errors.push(`event name ${String(e.event)} ≠ data.type ${String(e.data.type)}`);
  if (types[0] !== 'message_start') errors.push(`first event is ${String(types[0])}`);
  if (types.at(-1) !== 'message_stop') errors.push(`last event is ${String(types.at(-1))}`);
  if (types.at(-2) !== 'message_delta') errors.push(`message_delta is not second to last`);
  let open: number | undefined;
  let next = 0;
  for (const e of events) {
    const { type, index } = e.data;
    if (type === 'content_block_start') {
      if (open !== undefined) errors.push(`block ${String(index)} starts while ${open} is open`);
      if (index !== next) errors.push(`block ${String(index)} starts, expected ${next}`);
      open = index as number;
      next += 1;
    } else if (type === 'content_block_delta') {
      if (index !== open) errors.push(`delta for ${String(index)} while ${String(open)} is open`);
    } else if (type === 'content_block_stop') {
      if (index !== open) errors.push(`stop for ${String(index)} while ${String(open)} is open`);
      open = undefined;
    } else if (type === 'message_delta' && open !== undefined) errors.push('message_delta with a block open');
  }
  return errors;
}
