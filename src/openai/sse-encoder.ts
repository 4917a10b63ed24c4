/**
 * The one writer of server-sent events to clients. Every chunk goes out as a single `data:` line
 * (OpenAI's framing, provider-protocols.md §1.5), so the OpenAI SDKs and any spec-correct parser read
 * it; APIs that name their events (Anthropic's Messages) get an `event:` line before it.
 */
import { GatewayError } from '../errors.js';

/** Ends an OpenAI stream. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** A comment line: keeps proxies and clients from timing out during long upstream silences. */
export const SSE_KEEPALIVE = ': keep-alive\n\n';

/**
 * Response headers for an event stream. `x-accel-buffering: no` stops nginx from buffering the
 * stream into one late blob; `no-cache` keeps intermediaries from storing it.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
});

/**
 * Frames one JSON text as an event. A CR or LF inside would end the line early and corrupt the
 * stream; `JSON.stringify` never emits one, so the guard is two native scans, not a rewrite.
 *
 * @throws GatewayError (500) if `json` contains a line break.
 */
export function encodeSseData(json: string): string {
  if (json.includes('\n') || json.includes('\r')) {
    throw new GatewayError({ status: 500, message: 'An SSE data payload must not contain line breaks.' });
  }
  return `data: ${json}\n\n`;
}

/**
 * Frames one JSON text as a named event (`event: <name>` then the data line), the framing of
 * Anthropic's Messages stream, whose SDK skips events without a name.
 *
 * @throws GatewayError (500) if `json` or `name` contains a line break.
 */
export function encodeSseEvent(name: string, json: string): string {
  if (name.includes('\n') || name.includes('\r')) {
    throw new GatewayError({ status: 500, message: 'An SSE event name must not contain line breaks.' });
  }
  return `event: ${name}\n${encodeSseData(json)}`;
}

/**
 * Frames an error that happens after the `200` was sent. The OpenAI SDKs raise when a `data`
 * payload has a top-level `error`, so the client sees a failure rather than a truncated answer.
 */
export function encodeSseError(error: GatewayError): string {
  return encodeSseData(JSON.stringify(error.toJSON()));
}
