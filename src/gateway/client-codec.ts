/**
 * How an answer is written in the API the client called. The gateway works in OpenAI's chat model
 * (every provider adapter maps to and from it); `/v1/chat/completions` writes that model as it is,
 * and an ingress (Anthropic Messages, …) supplies a codec that writes the same completion and the
 * same stream chunks in its own API's shapes. That keeps one translator per provider and one per
 * client API instead of one per pair.
 */
import type { GatewayError } from '../errors.js';
import { SSE_DONE, SSE_KEEPALIVE, encodeSseData, encodeSseError } from '../openai/sse-encoder.js';
import type { ChatCompletion, ChatCompletionChunk, TokenUsage } from '../openai/types.js';
import { EncodedChunk, type StreamOutput } from '../providers/provider.js';

export interface ClientCodec {
  /** The JSON body of a complete (non-streaming) answer. */
  completion(completion: ChatCompletion): string;
  /** A fresh encoder for one streamed answer. */
  createStream(): ChunkEncoder;
}

/** Writes one streamed answer: chunks as they come, then its end, or an error after the first byte. */
export interface ChunkEncoder {
  /**
   * Whether chunks may arrive pre-encoded (EncodedChunk, OpenAI's JSON text): true only for an
   * encoder that writes OpenAI chunks; for the others the transform is made to give chunk objects.
   */
  readonly acceptsEncoded: boolean;
  /** Chunks from the provider's stream transform → SSE text for the client ('' when nothing is due yet). */
  encode(chunks: readonly StreamOutput[]): string;
  /** The last text of a complete answer, given the final usage of the stream. */
  done(usage: TokenUsage | undefined): string;
  /** The last text of an answer that failed after its first byte. */
  error(error: GatewayError): string;
  /** Written during long upstream silences, so proxies and clients do not time the stream out. */
  readonly keepAlive: string;
}

/** OpenAI's chunks, one `data:` line each, ended by `[DONE]`. */
const openAIChunkEncoder: ChunkEncoder = {
  acceptsEncoded: true,
  encode(chunks: readonly StreamOutput[]): string {
    let out = '';
    // Pre-encoded chunks are already one line of JSON: framed, never re-serialised.
    for (const chunk of chunks) out += encodeSseData(chunk instanceof EncodedChunk ? chunk.json : JSON.stringify(chunk));
    return out;
  },
  done: () => SSE_DONE,
  error: encodeSseError,
  keepAlive: SSE_KEEPALIVE,
};

/** The encoder of `/v1/chat/completions` (stateless, so one is shared). */
export function openAIChunks(): ChunkEncoder {
  return openAIChunkEncoder;
}

/** UTF-8 bytes of generated text in a chunk (content, tool-call arguments), for cut-stream estimates. */
export function chunkTextBytes(chunk: StreamOutput): number {
  if (chunk instanceof EncodedChunk) return chunk.textBytes;
  return objectTextBytes(chunk);
}

function objectTextBytes(chunk: ChatCompletionChunk): number {
  let n = 0;
  for (const choice of chunk.choices) {
    const delta = choice.delta;
    if (typeof delta.content === 'string') n += Buffer.byteLength(delta.content);
    if (delta.tool_calls) for (const call of delta.tool_calls) n += Buffer.byteLength(call.function?.arguments ?? '');
  }
  return n;
}
