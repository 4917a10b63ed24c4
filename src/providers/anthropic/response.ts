/**
 * Anthropic Message (non-streaming) → OpenAI ChatCompletion.
 *
 * @see https://docs.claude.com/en/api/messages (response)
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
import type { ChatCompletion, ToolCall } from '../../openai/types.js';
import { anthropicProtocolError } from './errors.js';
import { toFinishReason } from './finish-reason.js';
import { anthropicMessageSchema } from './schema.js';
import { mergeAnthropicUsage, toOpenAIUsage } from './usage.js';

export interface AnthropicResponseOptions {
  /** The public `provider/model` string every answer carries. */
  publicModel: string;
  /** The synthetic `response_format` tool whose input is the answer (see tools.ts). */
  answerTool: string | undefined;
  /** Whether the client wants the thinking, as `reasoning_content`. */
  reasoning: boolean;
}

/** Maps a 2xx body; throws a retryable 502 (failure 'protocol') when it is not a Message. */
export function toChatCompletion(json: unknown, options: AnthropicResponseOptions): ChatCompletion {
  const parsed = anthropicMessageSchema.safeParse(json);
  if (!parsed.success) {
    throw anthropicProtocolError('Anthropic returned a response that is not a Message.', parsed.error);
  }
  const message = parsed.data;

  let text = '';
  let thinking = '';
  let answer: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'thinking') thinking += block.thinking;
    else if (block.type === 'tool_use' && block.name === options.answerTool) answer ??= JSON.stringify(block.input);
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
    }
    // redacted_thinking (encrypted) and server-tool blocks have no place in OpenAI's message.
  }
  // With response_format the answer tool's input IS the content: text beside it would make the
  // content unparseable as JSON. A forced tool choice leaves no text anyway; dropping it here
  // keeps this mapper and the stream (which cannot take text back once sent) in agreement.
  const content = options.answerTool !== undefined ? (answer ?? null) : text === '' ? null : text;

  return {
    id: `chatcmpl-${message.id}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: options.publicModel,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(options.reasoning && thinking !== '' ? { reasoning_content: thinking } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toFinishReason(message.stop_reason, toolCalls.length > 0),
      },
    ],
    usage: toOpenAIUsage(mergeAnthropicUsage(undefined, message.usage ?? {})),
  };
}
