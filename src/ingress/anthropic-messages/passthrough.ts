/**
 * `anthropic/*` models: the client's Messages request goes to Anthropic natively (see
 * gateway/native-attempt.ts). The body is sent with only `model` changed — cache_control, thinking
 * blocks and their signatures, documents, citations, server tools and every beta field arrive as
 * the client wrote them — and `anthropic-beta` is forwarded. The answer comes back with only
 * `model` changed; the usage to bill (input, output, cache writes and reads) is read on the way
 * from `message_start` and `message_delta`, whose counts are running totals.
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */
import { estimatePromptTokensUpperBound } from '../../billing/estimate.js';
import { GatewayError } from '../../errors.js';
import { leadingMessages } from '../../gateway/leading-messages.js';
import type { NativeRequest } from '../../gateway/native-attempt.js';
import type { EventRelay } from '../../gateway/relay-stream.js';
import { encodeSseEvent } from '../../openai/sse-encoder.js';
import type { TokenUsage } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';
import { anthropicProtocolError, anthropicStreamError } from '../../providers/anthropic/errors.js';
import { anthropicErrorSchema, anthropicMessageSchema, anthropicUsageSchema } from '../../providers/anthropic/schema.js';
import { mergeAnthropicUsage, toTokenUsage, type AnthropicUsageCounts } from '../../providers/anthropic/usage.js';
import type { SseEvent } from '../../providers/provider.js';
import { anthropicErrorEvent } from './errors.js';
import { PING_EVENT } from './stream-encoder.js';
import type { MessagesRequest } from './wire.js';

export function anthropicPassthrough(request: MessagesRequest, path: string, headers: Record<string, string>): NativeRequest {
  return {
    path,
    headers,
    stream: request.stream === true,
    // Object.assign onto a copy keeps `model` where the client put it; nothing else is touched.
    body: (upstreamModel) => JSON.stringify(Object.assign({}, request, { model: upstreamModel })),
    promptTokensUpperBound: () =>
      estimatePromptTokensUpperBound({
        model: request.model,
        messages: chatMessages(request),
        tools: request.tools,
        tool_choice: request.tool_choice,
      }),
    maxOutputTokens: request.max_tokens,
    answer: (json, publicModel) => nativeAnswer(json, publicModel),
    createStream: (publicModel) => new AnthropicEventRelay(publicModel),
    leading: () => leadingMessages(chatMessages(request)),
  };
}

/** The messages as the chat rules read them: the system prompt as one more, first, message. */
function chatMessages(request: MessagesRequest): readonly unknown[] {
  return request.system === undefined ? request.messages : [{ role: 'system', content: request.system }, ...request.messages];
}

function nativeAnswer(json: unknown, publicModel: string): { body: string; usage: TokenUsage | undefined } {
  const parsed = anthropicMessageSchema.safeParse(json);
  if (!parsed.success || !isRecord(json)) throw anthropicProtocolError('Anthropic returned a response that is not a Message.');
  const usage = parsed.data.usage ? toTokenUsage(mergeAnthropicUsage(undefined, parsed.data.usage)) : undefined;
  json.model = publicModel;
  return { body: JSON.stringify(json), usage };
}

/** Anthropic's events relayed one by one, each with its `event:` name; only `message_start` is rewritten. */
class AnthropicEventRelay implements EventRelay {
  readonly keepAlive = PING_EVENT;
  complete = false;
  completionBytes = 0;
  private counts: AnthropicUsageCounts | undefined;

  constructor(private readonly publicModel: string) {}

  push(sse: SseEvent): string {
    if (this.complete) return '';
    // The bulk of a stream: relayed without parsing (the name is a copy of data.type).
    if (sse.event === 'content_block_delta') {
      this.completionBytes += sse.data.length;
      return encodeSseEvent(sse.event, sse.data);
    }
    const data = parseEvent(sse);
    const type = data.type;
    switch (type) {
      case 'message_start': {
        const message = isRecord(data.message) ? data.message : undefined;
        if (message === undefined) throw anthropicProtocolError('Anthropic streamed a message_start without a message.');
        this.addUsage(message.usage);
        message.model = this.publicModel;
        return encodeSseEvent(type, JSON.stringify(data));
      }
      case 'message_delta':
        this.addUsage(data.usage);
        break;
      case 'message_stop':
        this.complete = true;
        break;
      case 'error': {
        const error = anthropicErrorSchema.safeParse(data.error);
        throw anthropicStreamError(error.success ? error.data : { type: 'api_error' });
      }
      default:
        break;
    }
    return encodeSseEvent(type, sse.data);
  }

  end(): string {
    if (this.complete) return '';
    throw new GatewayError({
      status: 502,
      type: 'upstream_error',
      code: 'upstream_error',
      message: 'The upstream stream ended before it was complete',
      retryable: true,
      failure: 'reset',
    });
  }

  close(): string {
    return '';
  }

  error(error: GatewayError): string {
    return anthropicErrorEvent(error);
  }

  usage(): TokenUsage | undefined {
    return this.counts === undefined ? undefined : toTokenUsage(this.counts);
  }

  private addUsage(value: unknown): void {
    const usage = anthropicUsageSchema.safeParse(value);
    // Running totals: a reported count replaces the previous one.
    if (usage.success) this.counts = mergeAnthropicUsage(this.counts, usage.data);
  }
}

function parseEvent(sse: SseEvent): Record<string, unknown> & { type: string } {
  let json: unknown;
  try {
    json = JSON.parse(sse.data);
  } catch (cause) {
    throw anthropicProtocolError('Anthropic streamed an event that is not JSON.', cause);
  }
  if (!isRecord(json) || typeof json.type !== 'string')
    throw anthropicProtocolError('Anthropic streamed an event without a type.');
  return json as Record<string, unknown> & { type: string };
}
