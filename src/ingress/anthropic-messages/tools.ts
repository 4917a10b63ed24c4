/**
 * Anthropic `tools` / `tool_choice` → chat function tools and `tool_choice`.
 *
 * Client tools (no `type`, or `type: "custom"`) become functions with `input_schema` as their
 * parameters. Server tools (web search, code execution, bash, text editor, computer use, …) run
 * inside Anthropic's API; no other provider can run them, so they are dropped and named in the
 * warnings. `cache_control`, `defer_loading`, `input_examples` and `allowed_callers` steer
 * Anthropic's own tool handling: a deferred tool is simply offered like any other.
 *
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */
import type { ChatCompletionRequest, FunctionTool, ToolChoice } from '../../openai/types.js';
import { isRecord } from '../../providers/anthropic/content.js';
import type { MessagesRequest } from './wire.js';

export interface ChatTools {
  tools: FunctionTool[] | undefined;
  tool_choice: ToolChoice | undefined;
  parallel_tool_calls: false | undefined;
}

export function toChatTools(request: MessagesRequest, warnings: Set<string>): ChatTools {
  const tools: FunctionTool[] = [];
  for (const tool of request.tools ?? []) {
    if (tool.type !== undefined && tool.type !== null && tool.type !== 'custom') {
      warnings.add(`tools.${String(tool.type)}`);
      continue;
    }
    const fn: FunctionTool['function'] = { name: String(tool.name) };
    if (typeof tool.description === 'string') fn.description = tool.description;
    if (isRecord(tool.input_schema)) fn.parameters = withoutSchemaKeyword(tool.input_schema);
    if (tool.strict === true) fn.strict = true;
    tools.push({ type: 'function', function: fn });
  }
  // OpenAI refuses tool_choice and parallel_tool_calls without tools (all may have been server tools).
  if (tools.length === 0) return { tools: undefined, tool_choice: undefined, parallel_tool_calls: undefined };

  const choice = request.tool_choice;
  const parallel = choice?.disable_parallel_tool_use === true && choice.type !== 'none' ? false : undefined;
  return { tools, tool_choice: toToolChoice(choice), parallel_tool_calls: parallel };
}

function toToolChoice(choice: MessagesRequest['tool_choice']): ChatCompletionRequest['tool_choice'] {
  switch (choice?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: String(choice.name) } };
    default:
      return undefined;
  }
}

/**
 * `$schema` names the JSON Schema dialect (Claude Code's schemas carry one); it describes no
 * argument, and validators of some providers reject keywords they do not know.
 */
function withoutSchemaKeyword(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('$schema' in schema)) return schema;
  const copy = Object.assign({}, schema);
  delete copy.$schema;
  return copy;
}
