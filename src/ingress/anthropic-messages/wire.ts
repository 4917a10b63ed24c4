/**
 * The parts of Anthropic's Messages API this ingress reads and writes. Requests are typed loosely
 * (`[key: string]: unknown`) because clients send fields and block types newer than this file:
 * a passthrough forwards them untouched, and the translation decides what to do with each.
 *
 * @see https://docs.claude.com/en/api/messages
 */

/** Any request content block: `type` is the only field every block has. */
export interface RequestBlock {
  type: string;
  [key: string]: unknown;
}

export interface RequestMessage {
  role: 'user' | 'assistant' | 'system';
  content: string | RequestBlock[];
}

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: RequestMessage[];
  system?: string | RequestBlock[];
  stream?: boolean;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  tools?: RequestBlock[];
  tool_choice?: RequestBlock;
  thinking?: RequestBlock;
  output_config?: { effort?: string | null; format?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

/** Response content blocks this ingress writes. */
export type ResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export interface MessageUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface MessageResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ResponseBlock[];
  stop_reason: StopReason;
  stop_sequence: string | null;
  usage: MessageUsage;
}
