/**
 * OpenAI's Responses API wire types, as far as Z-AI reads or writes them (field names and shapes
 * follow the official SDK's generated types). Requests are typed loosely: clients send fields
 * newer than this file, and the codec checks what it reads.
 *
 * @see https://platform.openai.com/docs/api-reference/responses
 */

/** Output text part of an assistant message. `logprobs` is always present on OpenAI's wire. */
export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputMessage {
  id: string;
  type: 'message';
  status: ItemStatus;
  role: 'assistant';
  content: Array<OutputTextPart | RefusalPart>;
}

export interface FunctionCallItem {
  id: string;
  type: 'function_call';
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
  /** The namespace tool the function belongs to, when the client declared it inside one. */
  namespace?: string;
}

export interface SummaryText {
  type: 'summary_text';
  text: string;
}

export interface ReasoningItem {
  id: string;
  type: 'reasoning';
  summary: SummaryText[];
  status?: ItemStatus;
}

export type OutputItem = OutputMessage | FunctionCallItem | ReasoningItem;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';

/** The `response` object: what `POST /v1/responses` answers and what stream events carry. */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  background: boolean;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: string | null };
  store: false;
  temperature: number | null;
  text: { format: Record<string, unknown>; verbosity?: string };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: string;
  usage: ResponsesUsage | null;
  user: string | null;
  metadata: Record<string, unknown>;
  completed_at?: number | null;
}

/**
 * The request's settings a response object repeats (OpenAI echoes them on every response), fixed
 * once per request by the request codec.
 */
export type ResponseEcho = Pick<
  ResponseObject,
  | 'instructions'
  | 'max_output_tokens'
  | 'model'
  | 'parallel_tool_calls'
  | 'reasoning'
  | 'temperature'
  | 'text'
  | 'tool_choice'
  | 'tools'
  | 'top_p'
  | 'truncation'
  | 'user'
  | 'metadata'
>;

/** A function the model may call, under the name it has upstream. */
export interface DeclaredFunction {
  /** The name the client declared (inside its namespace, if any). */
  name: string;
  namespace: string | undefined;
}

/** Upstream (flattened) function name → what the client declared. */
export type FunctionNames = ReadonlyMap<string, DeclaredFunction>;
