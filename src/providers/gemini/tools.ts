/**
 * OpenAI `tools` / `tool_choice` → Gemini `tools[].functionDeclarations` / `toolConfig`.
 *
 * Parameters go out as `parametersJsonSchema` (JSON Schema, what OpenAI clients write) rather than
 * the legacy `parameters` field, an OpenAPI 3.0 subset that rejects common JSON Schema keywords
 * such as `additionalProperties` (which OpenAI's strict mode requires) and type arrays.
 *
 * @see https://ai.google.dev/api/caching#FunctionDeclaration
 * @see https://ai.google.dev/api/caching#FunctionCallingConfig
 */
import { invalidRequest } from '../../errors.js';
import type { ChatCompletionRequest } from '../../openai/types.js';
import type { GeminiFunctionDeclaration, GeminiTool, GeminiToolConfig } from './wire.js';

/** Function tools as one Gemini tool of declarations; undefined when there are none. */
export function convertTools(tools: ChatCompletionRequest['tools'], warnings: Set<string>): GeminiTool[] | undefined {
  if (tools === undefined || tools === null || tools.length === 0) return undefined;
  const declarations = tools.map((tool, i): GeminiFunctionDeclaration => {
    if (tool.type !== 'function') {
      throw invalidRequest(`Tool type '${String(tool.type)}' is not supported by Gemini.`, `tools[${i}].type`);
    }
    const { name, description, parameters, strict } = tool.function;
    // Gemini validates calls against the schema only in its own modes; OpenAI's guarantee is not kept.
    if (strict === true) warnings.add('tools[].function.strict');
    const declaration: GeminiFunctionDeclaration = { name };
    if (description !== undefined) declaration.description = description;
    if (parameters !== undefined) declaration.parametersJsonSchema = parameters;
    return declaration;
  });
  return [{ functionDeclarations: declarations }];
}

/** `tool_choice` as Gemini's function calling mode; undefined leaves Gemini's default (AUTO). */
export function convertToolChoice(choice: ChatCompletionRequest['tool_choice']): GeminiToolConfig | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (typeof choice === 'object' && choice.type === 'function') {
    const fn = (choice as Record<string, unknown>)['function'];
    const name = typeof fn === 'object' && fn !== null ? (fn as Record<string, unknown>)['name'] : undefined;
    if (typeof name === 'string' && name !== '') {
      // ANY + a single allowed name is Gemini's "call exactly this function".
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
    }
    throw invalidRequest('tool_choice.function.name is required.', 'tool_choice.function.name');
  }
  const kind = typeof choice === 'object' ? String(choice.type) : String(choice);
  throw invalidRequest(`tool_choice '${kind}' is not supported by Gemini.`, 'tool_choice');
}
