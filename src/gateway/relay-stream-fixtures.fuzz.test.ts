/**
 * Property tests for the stream relay on recorded upstream answers of all three protocols, split at
 * random, read slowly and relayed into a client that pushes back: [DONE] after complete answers, an
 * error event after cut and failed ones, a refusal (so the caller may fall back) before any content;
 * and the same answers broken off by a failing connection mid-stream. The relay's contract holds
 * throughout (see __fixtures__/relay-contract.ts).
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { ANY_CLIENT, CALM_CLIENT, checkRelay, relay } from './__fixtures__/relay-contract.js';
import { CUTS, SEED, SLOW, UPSTREAM } from './__fixtures__/relay-upstreams.js';
import { split } from '../../test/helpers/fuzz.js';

describe('relayStream (fuzz)', () => {
  it('relays every fixture, split anywhere, with back-pressure: [DONE] after complete answers, an error event otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        CUTS,
        SLOW,
        CALM_CLIENT,
        fc.boolean(),
        async (upstream, cuts, slow, clientScript, includeUsage) => {
          const r = await relay(
            upstream,
            includeUsage,
            { chunks: split(upstream.bytes, cuts), failAt: undefined, failCode: undefined, slow },
            clientScript,
          );
          const view = checkRelay(r);
          if (upstream.outcome === 'complete') {
            expect(r.outcome?.status, `${upstream.name}: ${JSON.stringify(view?.events.at(-1))}`).toBe(200);
            if (includeUsage && upstream.name !== 'openai only [DONE]') expect(view?.events.at(-2)).toContain('"usage"');
          } else if (upstream.outcome === 'refused') {
            expect(r.error, 'a bare JSON error body must be refused like an HTTP error').toBeInstanceOf(GatewayError);
            expect((r.error as GatewayError).status).toBe(503);
          } else {
            // Cut and error streams sent content first, so they end with an error event, never [DONE].
            expect(r.opened).toBe(1);
            expect(view?.terminal).toBe('error');
            expect(r.outcome?.status).toBeGreaterThanOrEqual(500);
          }
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('settles and ends the client stream properly when the upstream connection fails mid-stream', async () => {
    await fc.assert(
      fc.asyncProperty(
        UPSTREAM,
        CUTS,
        fc.nat(),
        fc.constantFrom('UND_ERR_SOCKET', 'ECONNRESET', 'UND_ERR_BODY_TIMEOUT', undefined),
        SLOW,
        ANY_CLIENT,
        async (upstream, cuts, failAt, failCode, slow, clientScript) => {
          const chunks = split(upstream.bytes, cuts);
          const r = await relay(upstream, true, { chunks, failAt: failAt % (chunks.length + 1), failCode, slow }, clientScript);
          checkRelay(r);
          if (!r.aborted) {
            // The upstream failed before its end: that can never be a clean 200.
            const status = r.outcome?.status ?? (r.error as GatewayError).status;
            expect(status).not.toBe(200);
            // On an otherwise valid stream the failure itself is what the client hears about.
            if (upstream.outcome === 'complete') expect(status).toBe(failCode === 'UND_ERR_BODY_TIMEOUT' ? 504 : 502);
          }
        },
      ),
      { seed: SEED + 2, numRuns: 200 },
    );
  });
});
