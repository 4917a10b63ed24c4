import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { readText } from './upstream-client.js';

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('readText', () => {
  // Multi-byte characters cut between reads: 'é' is 2 bytes, '東' 3, '🌥' 4.
  const text = `{"content":"${'aé東🌥'.repeat(120_000)}"}`;
  const bytes = Buffer.from(text);

  it('gives back the text, small or large (decoded read by read past 1 MiB), whatever the read sizes', async () => {
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    for (const size of [bytes.length, 65_536, 7, 65_537])
      expect(await readText(pieces(bytes, size), 32 * 1024 * 1024)).toBe(text);
    expect(await readText(pieces(Buffer.from('{"a":"é"}'), 3), 1024)).toBe('{"a":"é"}');
    expect(await readText(pieces(Buffer.alloc(0), 1), 1024)).toBe('');
  });

  it('refuses a body past the bound with 502 upstream_response_too_large, naming the setting, and gives the body up', async () => {
    let read = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      try {
        for (;;) {
          read += 1;
          yield Buffer.alloc(64 * 1024, 0x61);
        }
      } finally {
        read = -read;
      }
    }
    const err = await readText(endless(), 1024 * 1024, 'ZAI_MAX_EMBEDDINGS_BODY_BYTES').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err).toMatchObject({ status: 502, code: 'upstream_response_too_large', failure: 'protocol' });
    expect((err as Error).message).toContain('ZAI_MAX_EMBEDDINGS_BODY_BYTES');
    // 17 reads of 64 KiB pass 1 MiB; the generator was closed (its finally ran), nothing more read.
    expect(read).toBe(-17);
  });
});
