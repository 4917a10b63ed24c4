/**
 * Anthropic Messages wire helpers for end-to-end tests: SSE frames as Anthropic writes them (an
 * `event:` line named like `data.type`, then the data line) and a reader for the raw events a
 * client receives.
 */
export type Json = Record<string, unknown>;

/** One Anthropic SSE event. */
export function anthropicSse(data: Json & { type: string }, eol = '\n'): string {
  return `event: ${data.type}${eol}data: ${JSON.stringify(data)}${eol}${eol}`;
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
