import { describe, expect, it } from 'vitest';
import { scanChunk, type ScanOptions } from './chunk-scanner.js';
import { ChunkTemplate, type StringSpans } from './chunk-template.js';

const OPTIONS: ScanOptions = { rejectToolCalls: false, rejectReasoning: false };

/** An OpenAI text chunk with the padding OpenAI adds unless the client turns it off. */
function chunk(content: string, obfuscation = 'k9', finish = 'null', usage = 'null'): string {
  return (
    '{"id":"chatcmpl-9f3K2","object":"chat.completion.chunk","created":1767225600,"model":"gpt-4o-mini-2024-07-18",' +
    `"service_tier":"default","system_fingerprint":"fp_1a2b3c","choices":[{"index":0,"delta":{"content":"${content}"},` +
    `"logprobs":null,"finish_reason":${finish}}],"usage":${usage},"obfuscation":"${obfuscation}"}`
  );
}

function templateOf(data: string): ChunkTemplate {
  const spans: StringSpans = [];
  const scan = scanChunk(data, OPTIONS, spans);
  if (scan === undefined) throw new Error('the scanner refused the template chunk');
  const template = ChunkTemplate.from(data, spans, scan);
  if (template === undefined) throw new Error('no template');
  return template;
}

describe('ChunkTemplate', () => {
  it('matches a chunk with other strings and gives exactly the scanner’s result', () => {
    const template = templateOf(chunk('Hello'));
    for (const next of [
      chunk(' world, and more', 'Xq7a'),
      chunk('', ''),
      chunk('Paris: 18°C 🌥 東京 €', 'z'),
      chunk('line\\nbreak, a \\"quote\\" and \\u00e9', 'p\\/q'),
    ]) {
      const matched = template.match(next);
      expect(matched).toBeDefined();
      expect(matched).toEqual(scanChunk(next, OPTIONS));
    }
  });

  it('counts the bytes of the content, not of the padding', () => {
    const template = templateOf(chunk('Hello'));
    expect(template.match(chunk('été', 'a-long-padding-string'))?.textBytes).toBe(5);
  });

  it('leaves anything laid out differently to the scanner', () => {
    const template = templateOf(chunk('Hello'));
    // Another finish reason, a usage object, a different number, a missing member.
    expect(template.match(chunk('Hello', 'k9', '"stop"'))).toBeUndefined();
    expect(
      template.match(chunk('Hello', 'k9', 'null', '{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}')),
    ).toBeUndefined();
    expect(template.match(chunk('Hello').replace('1767225600', '1767225601'))).toBeUndefined();
    expect(template.match(chunk('Hello').replace(',"service_tier":"default"', ''))).toBeUndefined();
    // Text after the object.
    expect(template.match(`${chunk('Hello')}x`)).toBeUndefined();
  });

  it('refuses strings that are not valid JSON strings', () => {
    const template = templateOf(chunk('Hello'));
    for (const raw of ['a\nb', 'a\u0001', 'bad \\x escape', 'bad \\u12G4 escape', 'ends in a backslash\\']) {
      expect(template.match(chunk(raw)), JSON.stringify(raw)).toBeUndefined();
      // The scanner agrees: these chunks take the full path, which reports them.
      expect(scanChunk(chunk(raw), OPTIONS)).toBeUndefined();
    }
  });

  it('is not made from a chunk carrying a usage object, whose numbers vary', () => {
    const data = chunk('', 'k9', 'null', '{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}');
    const spans: StringSpans = [];
    const scan = scanChunk(data, OPTIONS, spans);
    expect(scan).toBeDefined();
    expect(ChunkTemplate.from(data, spans, scan as NonNullable<typeof scan>)).toBeUndefined();
  });
});
