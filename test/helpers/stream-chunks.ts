/** Test helper: a stream transform's output as chunk objects, whichever path produced them. */
import type { ChatCompletionChunk } from '../../src/openai/types.js';
import { EncodedChunk, type SseEvent, type StreamOutput, type StreamTransform } from '../../src/providers/provider.js';

/** Chunk objects as the client reads them: encoded chunks are parsed back from their text. */
export function chunksOf(outputs: readonly StreamOutput[]): ChatCompletionChunk[] {
  return outputs.map((item) => (item instanceof EncodedChunk ? (JSON.parse(item.json) as ChatCompletionChunk) : item));
}

/** Pushes every event through the transform and returns what came out, as chunk objects. */
export function pushAll(transform: StreamTransform, events: readonly SseEvent[]): ChatCompletionChunk[] {
  return events.flatMap((event) => chunksOf(transform.push(event)));
}
