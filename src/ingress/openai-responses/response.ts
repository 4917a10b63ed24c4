/**
 * A chat completion → a Responses `response` object: a reasoning item when the provider returned
 * reasoning text, a `message` item for the text (and refusal), one `function_call` item per tool
 * call, each with its own id, and the usage under Responses' names. A completion cut by the token
 * limit (or a content filter) is `incomplete` with the reason, as OpenAI reports it.
 */
import type { ChatCompletion, FinishReason } from '../../openai/types.js';
import { newId } from './ids.js';
import type {
  FunctionCallItem,
  FunctionNames,
  ItemStatus,
  OutputItem,
  OutputMessage,
  ResponseEcho,
  ResponseObject,
  ResponseStatus,
} from './types.js';
import { toResponsesUsage } from './usage.js';

/** The response object with no output yet: what `response.created` carries, and the base of every other. */
export function responseShell(id: string, createdAt: number, echo: ResponseEcho, status: ResponseStatus): ResponseObject {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    model: echo.model,
    output: [],
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: null,
    reasoning: echo.reasoning,
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_p: echo.top_p,
    truncation: echo.truncation,
    usage: null,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/** Why a response is incomplete, from the chat finish reason; null when it is complete. */
export function incompleteReason(finish: FinishReason | null | undefined): 'max_output_tokens' | 'content_filter' | null {
  if (finish === 'length') return 'max_output_tokens';
  if (finish === 'content_filter') return 'content_filter';
  return null;
}

/** A function call item under the name (and namespace) the client declared. */
export function functionCallItem(
  names: FunctionNames,
  upstreamName: string,
  callId: string,
  args: string,
  status: ItemStatus,
): FunctionCallItem {
  const declared = names.get(upstreamName);
  const item: FunctionCallItem = {
    id: newId('fc'),
    type: 'function_call',
    status,
    arguments: args,
    call_id: callId,
    name: declared?.name ?? upstreamName,
  };
  if (declared?.namespace !== undefined) item.namespace = declared.namespace;
  return item;
}

/** Reasoning text a chat host returned beside the answer (`reasoning_content`, or `reasoning` on some hosts). */
export function reasoningText(fields: Record<string, unknown>): string | undefined {
  const value = fields.reasoning_content ?? fields.reasoning;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function toResponse(completion: ChatCompletion, echo: ResponseEcho, names: FunctionNames): ResponseObject {
  const choice = completion.choices[0];
  const finish = choice?.finish_reason ?? null;
  const reason = incompleteReason(finish);
  const response = responseShell(newId('resp'), completion.created, echo, reason === null ? 'completed' : 'incomplete');
  if (reason !== null) response.incomplete_details = { reason };
  else response.completed_at = Math.floor(Date.now() / 1000);
  const itemStatus: ItemStatus = reason === null ? 'completed' : 'incomplete';

  const output: OutputItem[] = [];
  if (choice !== undefined) {
    const message = choice.message;
    const reasoning = reasoningText(message);
    if (reasoning !== undefined) {
      output.push({ id: newId('rs'), type: 'reasoning', summary: [{ type: 'summary_text', text: reasoning }] });
    }
    const content: OutputMessage['content'] = [];
    if (typeof message.content === 'string' && message.content !== '') {
      content.push({ type: 'output_text', text: message.content, annotations: [], logprobs: [] });
    }
    if (typeof message.refusal === 'string' && message.refusal !== '')
      content.push({ type: 'refusal', refusal: message.refusal });
    if (content.length > 0) output.push({ id: newId('msg'), type: 'message', status: itemStatus, role: 'assistant', content });
    for (const call of message.tool_calls ?? []) {
      output.push(functionCallItem(names, call.function.name, call.id, call.function.arguments, itemStatus));
    }
  }
  response.output = output;
  if (completion.usage !== undefined) response.usage = toResponsesUsage(completion.usage);
  return response;
}
