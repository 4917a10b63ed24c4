/**
 * What OpenAI's `/v1/responses` answers, relayed to the client with every field as OpenAI sent it
 * except `model`, which says the public model string (`openai/gpt-5`) as everywhere in Z-AI. The
 * usage is read on the way for billing: from the response object, or in a stream from the
 * terminal `response.completed` / `response.incomplete` / `response.failed` event.
 */
import { GatewayError } from '../../errors.js';
import { encodeSseData, encodeSseEvent, SSE_KEEPALIVE } from '../../openai/sse-encoder.js';
import type { TokenUsage } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';
import type { SseEvent } from '../../providers/provider.js';

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Responses usage → the token counts Z-AI bills (cached tokens are part of the input tokens). */
export function nativeUsage(response: unknown): TokenUsage | undefined {
  if (!isRecord(response) || !isRecord(response.usage)) return undefined;
  const usage = response.usage;
  const details = isRecord(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const outputDetails = isRecord(usage.output_tokens_details) ? usage.output_tokens_details : {};
  return {
    promptTokens: count(usage.input_tokens),
    completionTokens: count(usage.output_tokens),
    cachedTokens: count(details.cached_tokens),
    reasoningTokens: count(outputDetails.reasoning_tokens),
  };
}

/** Text the model generated in an output item (for the cost of an answer that reported no usage). */
export function nativeOutputBytes(response: unknown): number {
  if (!isRecord(response) || !Array.isArray(response.output)) return 0;
  let bytes = 0;
  for (const item of response.output as unknown[]) {
    if (!isRecord(item)) continue;
    if (typeof item.arguments === 'string') bytes += Buffer.byteLength(item.arguments);
    if (Array.isArray(item.content)) {
      for (const part of item.content as unknown[]) {
        if (isRecord(part) && typeof part.text === 'string') bytes += Buffer.byteLength(part.text);
      }
    }
  }
  return bytes;
}

/** Upstream model id → the public model string (`gpt-5` → `openai/gpt-5`). */
export type PublicModel = (upstreamModel: string) => string;

/** The response object with the public model string; undefined when the body is not an object. */
export function withPublicModel(json: unknown, publicModel: PublicModel): Record<string, unknown> | undefined {
  if (!isRecord(json)) return undefined;
  if (typeof json.model === 'string') json.model = publicModel(json.model);
  return json;
}

/** Events that carry the whole response object. */
const RESPONSE_EVENTS = new Set([
  'response.created',
  'response.queued',
  'response.in_progress',
  'response.completed',
  'response.incomplete',
  'response.failed',
]);
/** The last event of a response stream. */
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

function protocolError(message: string, cause?: unknown): GatewayError {
  return new GatewayError({ status: 502, code: 'upstream_error', message, failure: 'protocol', retryable: true, cause });
}

/**
 * Relays OpenAI's Responses event stream. Events are written back with the same name and data;
 * only those that carry the response object are parsed (for the model and the usage), and delta
 * events are read for the size of the generated text, so an answer cut before its usage is still
 * billed for what reached the client.
 */
export class NativeResponsesEvents {
  completionBytes = 0;
  readonly keepAlive = SSE_KEEPALIVE;
  private finished = false;
  private lastUsage: TokenUsage | undefined;
  private nextSequence = 0;

  constructor(private readonly publicModel: PublicModel) {}

  get complete(): boolean {
    return this.finished;
  }

  usage(): TokenUsage | undefined {
    return this.lastUsage;
  }

  push(event: SseEvent): string {
    if (this.finished) return '';
    const { data } = event;
    if (data === '' || data === '[DONE]') return '';
    let name = event.event;
    // Without an `event:` line (or with data over several lines) the type comes from the data.
    let parsed: Record<string, unknown> | undefined;
    if (name === undefined || RESPONSE_EVENTS.has(name) || name.endsWith('.delta') || name === 'error' || data.includes('\n')) {
      parsed = this.parse(data);
      if (typeof parsed.type === 'string') name = parsed.type;
    }
    if (parsed !== undefined) {
      if (typeof parsed.sequence_number === 'number') this.nextSequence = parsed.sequence_number + 1;
      if (name !== undefined && name.endsWith('.delta') && typeof parsed.delta === 'string') {
        this.completionBytes += Buffer.byteLength(parsed.delta);
      }
      if (name !== undefined && RESPONSE_EVENTS.has(name)) {
        const response = withPublicModel(parsed.response, this.publicModel);
        const usage = nativeUsage(response);
        if (usage !== undefined) this.lastUsage = usage;
        if (TERMINAL_EVENTS.has(name)) this.finished = true;
        const json = JSON.stringify(parsed);
        return name === undefined ? encodeSseData(json) : encodeSseEvent(name, json);
      }
      if (data.includes('\n')) {
        const json = JSON.stringify(parsed);
        return name === undefined ? encodeSseData(json) : encodeSseEvent(name, json);
      }
    }
    return name === undefined ? encodeSseData(data) : encodeSseEvent(name, data);
  }

  end(): string {
    if (this.finished) return '';
    throw new GatewayError({
      status: 502,
      code: 'upstream_error',
      message: 'The upstream stream ended before it was complete',
      failure: 'reset',
      retryable: true,
    });
  }

  /** OpenAI's stream ends with its terminal event; nothing follows it. */
  close(): string {
    return '';
  }

  /** A failure after the first byte, as OpenAI's `error` event, continuing the upstream's numbering. */
  error(error: GatewayError): string {
    const json = JSON.stringify({
      type: 'error',
      sequence_number: this.nextSequence++,
      code: error.code ?? error.type,
      message: error.message,
      param: error.param,
    });
    return encodeSseEvent('error', json);
  }

  private parse(data: string): Record<string, unknown> {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch (cause) {
      throw protocolError('The upstream sent a stream event that is not JSON.', cause);
    }
    if (!isRecord(json)) throw protocolError('The upstream sent a stream event that is not an object.');
    return json;
  }
}
