/**
 * Property tests for the stream relay on bad upstream bodies: fixtures corrupted, truncated and
 * padded with garbage, random bytes (SSE-like or not), and chunks that cannot be serialised. The
 * relay always settles and ends the client stream properly (see __fixtures__/relay-contract.ts).
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANY_CLIENT, checkRelay, relay } from './__fixtures__/relay-contract.js';
import { CUTS, DAMAGE, SEED, SLOW, UPSTREAM, UPSTREAMS, type Upstream } from './__fixtures__/relay-upstreams.js';
import { damageBytes, split } from '../../test/helpers/fuzz.js';

const encoder = new TextEncoder();

describe('relayStream (fuzz)', () => {
  it('settles and ends the client stream properly on corrupted, truncated and garbage-padded upstream bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        DAMAGE,
        CUTS,
        SLOW,
        ANY_CLIENT,
        fc.boolean(),
        async (upstream, d, cuts, slow, clientScript, includeUsage) => {
          const bytes = damageBytes(upstream.bytes, d);
          checkRelay(
            await relay(
              upstream,
              includeUsage,
              { chunks: split(bytes, cuts), failAt: undefined, failCode: undefined, slow },
              clientScript,
            ),
          );
        },
      ),
      { seed: SEED + 1, numRuns: 300 },
    );
  });

  it('settles and ends the client stream properly on random bytes from the upstream', async () => {
    const SSEISH = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'data: ',
            '\n\n',
            '\r\n',
            'data: [DONE]\n\n',
            'event: error\n',
            '{"choices":[{"delta":{"content":"x"},"finish_reason":null}]}',
            '{"type":"message_start","message":{"id":"m"}}',
            '{"candidates":[{"index":0,"finishReason":"STOP"}]}',
          ),
          fc.string({ maxLength: 10 }),
        ),
        { maxLength: 30 },
      )
      .map((parts) => encoder.encode(parts.join('')));
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        fc.oneof(fc.uint8Array({ maxLength: 200 }), SSEISH),
        CUTS,
        SLOW,
        ANY_CLIENT,
        async (upstream, bytes, cuts, slow, clientScript) => {
          checkRelay(
            await relay(
              upstream,
              false,
              { chunks: split(bytes, cuts), failAt: undefined, failCode: undefined, slow },
              clientScript,
            ),
          );
        },
      ),
      { seed: SEED + 3, numRuns: 300 },
    );
  });

  it('ends the client stream with an error event when a chunk cannot be serialised (deeply nested JSON upstream)', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const start = 'data: {"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n';
    const bodies = [
      `${start}data: {"choices":[{"index":0,"delta":{"content":"x","extra":${deep}},"finish_reason":null}]}\n\ndata: [DONE]\n\n`,
      `${start}data: {"error":{"message":${deep}}}\n\ndata: [DONE]\n\n`,
    ];
    for (const body of bodies) {
      const bytes = encoder.encode(body);
      const upstream = UPSTREAMS[0] as Upstream;
      const r = await relay(
        upstream,
        false,
        { chunks: split(bytes, [start.length, start.length + 10]), failAt: undefined, failCode: undefined, slow: [] },
        { full: [], leaveAt: undefined },
      );
      const view = checkRelay(r);
      expect(view?.terminal).toBe('error');
    }
  });
});
