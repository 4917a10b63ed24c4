/** Test helper: plays raw SSE text through the real parser and a stream transform, like the gateway does. */
import type { ChatCompletionChunk } from '../../../openai/types.js';
import type { StreamTransform } from '../../provider.js';
import { SseParser } from '../../sse-parser.js';
import { chunksOf } from '../../../../test/helpers/stream-chunks.js';

/** Splits `sse` into `chunkSize`-byte network chunks (odd sizes land inside lines and characters). */
export function replayStream(sse: string, transform: StreamTransform, chunkSize = 37): ChatCompletionChunk[] {
  const bytes = new TextEncoder().encode(sse);
  const parser = new SseParser();
  const chunks: ChatCompletionChunk[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    for (const event of parser.push(bytes.subarray(offset, offset + chunkSize))) chunks.push(...chunksOf(transform.push(event)));
  }
  for (const event of parser.end()) chunks.push(...chunksOf(transform.push(event)));
  chunks.push(...transform.end());
  return chunks;
}
