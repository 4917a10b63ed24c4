/**
 * Reads an OpenAI-style SSE answer (`data: {chunk}` … `data: [DONE]`) from a fetch Response,
 * handing each parsed chunk to `onChunk` as it arrives.
 */
import { ApiError } from './api';

export interface StreamChunk {
  model?: string;
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number } } | null;
  error?: { message?: string; code?: string };
}

function dataOf(event: string): string | null {
  const lines = event.split(/\r?\n/).filter((l) => l.startsWith('data:'));
  if (lines.length === 0) return null;
  return lines.map((l) => l.slice(5).replace(/^ /, '')).join('\n');
}

export async function readSse(res: Response, onChunk: (chunk: StreamChunk) => void): Promise<void> {
  if (!res.body) throw new ApiError(res.status, 'The answer had no body.');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let boundary = /\r?\n\r?\n/.exec(buffer);
    while (boundary) {
      const event = buffer.slice(0, boundary.index);
      buffer = buffer.slice(boundary.index + boundary[0].length);
      const data = dataOf(event);
      if (data === '[DONE]') {
        await reader.cancel().catch(() => undefined);
        return;
      }
      if (data !== null && data !== '') {
        const chunk = JSON.parse(data) as StreamChunk;
        if (chunk.error) throw new ApiError(res.status, chunk.error.message ?? 'The stream failed.', chunk.error.code ?? null);
        onChunk(chunk);
      }
      boundary = /\r?\n\r?\n/.exec(buffer);
    }
  }
}
