/**
 * OpenAI `tools`, `tool_choice`, `parallel_tool_calls` and `response_format` → Anthropic `tools`
 * and `tool_choice`.
 *
 * `response_format` decision: Anthropic has no portable JSON mode (native `output_config.format`
 * exists only on the newest models), so both JSON formats become one extra tool the model is made
 * to call — tool inputs are always a JSON object, which is exactly what `json_object` promises:
 * - `json_schema` → a tool named after the schema whose `input_schema` is the schema
 *   (`strict: true` is forwarded, so models that support strict tools enforce it);
 * - `json_object` → the same with a permissive object schema, named `json_response`.
 * The response mappers turn that tool's input back into `message.content` JSON text with
 * finish_reason `stop`, so clients never see the tool. This works on every tool-capable model.
 *
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 * @see https://platform.openai.com/docs/guides/structured-outputs
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest, ResponseFormat, ToolChoice } from '../../openai/types.js';
import { isRecord } from '../../lib/is-record.js';

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  strict?: true;
}

export type AnthropicToolChoice =
  | { type: 'auto' | 'any'; disable_parallel_tool_use?: true }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: true }
  | { type: 'none' };

export interface AnthropicToolConfig {
  tools: AnthropicTool[] | undefined;
  tool_choice: AnthropicToolChoice | undefined;
  /** The synthetic tool carrying a `response_format` answer, if one was added. */
  answerTool: string | undefined;
}

/** The tool name used to emulate `response_format: {type: 'json_object'}`. */
export const JSON_OBJECT_TOOL = 'json_response';

const ANSWER_DESCRIPTION = 'Give your final answer by calling this tool: its input is the answer, as JSON.';

/** Builds Anthropic's tool fields; throws a 400 naming the parameter Anthropic cannot express. */
export function toAnthropicTools(request: ChatCompletionRequest): AnthropicToolConfig {
  const tools: AnthropicTool[] = (request.tools ?? []).map((tool, i) => {
    if (tool.type !== 'function') {
      const message = `Tool type '${String(tool.type)}' is not supported by Anthropic models.`;
      throw invalidRequest(message, `tools[${i}].type`);
    }
    const { name, description, parameters, strict } = tool.function;
    return {
      name,
      ...(description !== undefined ? { description } : {}),
      // OpenAI allows omitting parameters for a no-argument function; Anthropic requires a schema.
      input_schema: parameters ?? { type: 'object', properties: {} },
      // Strict tools exist on Anthropic's newer models; forwarding lets the upstream enforce the
      // schema, or refuse with its own 400 on a model that cannot, instead of us silently ignoring it.
      ...(strict === true ? { strict: true as const } : {}),
    };
  });
  let choice = toToolChoice(request.tool_choice, tools.length > 0);

  const answer = toAnswerTool(request.response_format);
  if (answer !== undefined) {
    if (tools.some((tool) => tool.name === answer.name)) {
      throw invalidRequest(
        `The response_format name '${answer.name}' collides with a tool of the same name.`,
        request.response_format?.type === 'json_schema' ? 'response_format.json_schema.name' : 'response_format',
      );
    }
    // With no usable client tool the answer tool is forced; with client tools the model must call
    // some tool ('any'): one of the client's, or the answer tool to finish. A named choice stays.
    if (tools.length === 0 || choice === undefined || choice.type === 'none') {
      choice = { type: 'tool', name: answer.name };
    } else if (choice.type === 'auto') {
      choice = { type: 'any' };
    }
    tools.push(answer);
  }
  if (tools.length === 0) return { tools: undefined, tool_choice: undefined, answerTool: undefined };

  if (request.parallel_tool_calls === false) {
    choice = choice ?? { type: 'auto' };
    if (choice.type !== 'none') choice = { ...choice, disable_parallel_tool_use: true };
  }
  return { tools, tool_choice: choice, answerTool: answer?.name };
}

function toToolChoice(choice: ToolChoice | undefined, hasTools: boolean): AnthropicToolChoice | undefined {
  if (choice === undefined || choice === 'auto') return hasTools ? { type: 'auto' } : undefined;
  if (choice === 'none') return hasTools ? { type: 'none' } : undefined;
  if (!hasTools) throw invalidRequest('tool_choice requires tools.', 'tool_choice');
  if (choice === 'required') return { type: 'any' };
  const fn = choice.type === 'function' ? choice['function'] : undefined;
  if (isRecord(fn) && typeof fn['name'] === 'string') return { type: 'tool', name: fn['name'] };
  throw invalidRequest(
    `tool_choice '${typeof choice === 'string' ? choice : choice.type}' is not supported by Anthropic models.`,
    'tool_choice',
  );
}

function toAnswerTool(format: ResponseFormat | undefined): AnthropicTool | undefined {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return { name: JSON_OBJECT_TOOL, description: ANSWER_DESCRIPTION, input_schema: { type: 'object' } };
  }
  if (format.type === 'json_schema') {
    const { name, description, schema, strict } = format.json_schema;
    // A tool input is always an object; other roots (arrays, strings) cannot be emulated faithfully.
    if (schema !== undefined && schema['type'] !== 'object') {
      throw invalidRequest(
        'Anthropic models need a JSON schema whose root is {"type": "object"}.',
        'response_format.json_schema.schema',
      );
    }
    return {
      name,
      description: description ?? ANSWER_DESCRIPTION,
      input_schema: schema ?? { type: 'object' },
      ...(strict === true ? { strict: true as const } : {}),
    };
  }
  throw invalidRequest(
    `response_format type '${String((format as { type: unknown }).type)}' is not supported.`,
    'response_format.type',
  );
}
