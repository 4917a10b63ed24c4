/**
 * OpenAI `messages` → Anthropic top-level `system` plus alternating user/assistant turns.
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 */
import { invalidRequest } from '../../errors.js';
import type { ChatMessage, ToolCall } from '../../openai/types.js';
import {
  textBlocks,
  toAnthropicContent,
  toTextBlocks,
  type AnthropicRequestBlock,
  type AnthropicTextBlock,
  type AnthropicToolResultBlock,
  type AnthropicToolUseBlock,
} from './content.js';
import { isRecord } from '../../lib/is-record.js';

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicRequestBlock[];
}

export interface AnthropicPrompt {
  /** Every system/developer text in order, or undefined when there was none. */
  system: AnthropicTextBlock[] | undefined;
  messages: AnthropicMessage[];
  /** Dropped fields, by name (see `ChatTranslation.warnings`). */
  warnings: string[];
}

/**
 * Converts the OpenAI conversation. System and developer messages may appear anywhere in OpenAI's
 * list, but Anthropic has a single top-level `system`, so they are folded there in order.
 * Consecutive turns of the same role are merged (tool results travel in user turns), which keeps
 * the "tool_result blocks first" rule under our control rather than the API's.
 */
export function toAnthropicMessages(messages: ChatMessage[]): AnthropicPrompt {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  let droppedName = false;

  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    // Anthropic turns have no author name; dropping it is the only option, so say so.
    if (typeof message.name === 'string' && message.name !== '') droppedName = true;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...toTextBlocks(message.content, `${param}.content`));
        return;
      case 'user':
        appendTurn(turns, 'user', nonEmpty(toAnthropicContent(message.content, `${param}.content`), param));
        return;
      case 'assistant':
        appendTurn(turns, 'assistant', nonEmpty(assistantBlocks(message, param), param));
        return;
      case 'tool':
        appendTurn(turns, 'user', [toolResultBlock(message, param)]);
        return;
      default:
        throw invalidRequest(
          `Role '${message.role}' is not supported by Anthropic models; send tool results as role 'tool'.`,
          `${param}.role`,
        );
    }
  });

  return {
    system: system.length > 0 ? system : undefined,
    messages: turns.map(toolResultsFirst),
    warnings: droppedName ? ['messages[].name'] : [],
  };
}

function appendTurn(turns: AnthropicMessage[], role: AnthropicMessage['role'], blocks: AnthropicRequestBlock[]): void {
  const last = turns.at(-1);
  if (last !== undefined && last.role === role) last.content.push(...blocks);
  else turns.push({ role, content: blocks });
}

/**
 * Anthropic requires the user turn after a tool_use turn to begin with its tool_result blocks;
 * a stable partition fixes conversations where a user message slipped in between tool messages.
 */
function toolResultsFirst(turn: AnthropicMessage): AnthropicMessage {
  if (turn.role !== 'user') return turn;
  const results = turn.content.filter((block) => block.type === 'tool_result');
  const others = turn.content.filter((block) => block.type !== 'tool_result');
  return { role: 'user', content: [...results, ...others] };
}

/** Anthropic rejects empty turns with a message that does not name the index; ours does. */
function nonEmpty(blocks: AnthropicRequestBlock[], param: string): AnthropicRequestBlock[] {
  if (blocks.length === 0) {
    throw invalidRequest('Message content must not be empty for Anthropic models.', `${param}.content`);
  }
  return blocks;
}

function assistantBlocks(message: ChatMessage, param: string): AnthropicRequestBlock[] {
  const blocks: AnthropicRequestBlock[] = toTextBlocks(message.content, `${param}.content`, true);
  if (typeof message.refusal === 'string') blocks.push(...textBlocks(message.refusal));
  (message.tool_calls ?? []).forEach((call, j) => blocks.push(toolUseBlock(call, `${param}.tool_calls[${j}]`)));
  return blocks;
}

/** OpenAI carries arguments as a JSON string; Anthropic needs the object, so bad JSON is a 400 here. */
function toolUseBlock(call: ToolCall, param: string): AnthropicToolUseBlock {
  const text = call.function.arguments === '' ? '{}' : call.function.arguments;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw invalidRequest('Tool call arguments must be valid JSON.', `${param}.function.arguments`);
  }
  if (!isRecord(input)) {
    throw invalidRequest('Tool call arguments must be a JSON object.', `${param}.function.arguments`);
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input };
}

function toolResultBlock(message: ChatMessage, param: string): AnthropicToolResultBlock {
  if (typeof message.tool_call_id !== 'string' || message.tool_call_id === '') {
    throw invalidRequest('Tool messages need a tool_call_id.', `${param}.tool_call_id`);
  }
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: message.tool_call_id };
  if (typeof message.content === 'string') {
    if (message.content !== '') block.content = message.content;
  } else {
    const parts = toTextBlocks(message.content, `${param}.content`);
    if (parts.length > 0) block.content = parts;
  }
  return block;
}
