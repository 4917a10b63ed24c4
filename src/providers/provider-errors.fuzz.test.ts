/**
 * Property tests for upstream errors in every provider's own shape: error events mid-stream (with
 * deeply nested messages, with any numeric code) and error answers through each adapter's
 * `mapError` (any 4xx/5xx status, any body). Each becomes a GatewayError with an integer HTTP error
 * status, never a TypeError, RangeError or a status outside 400–599.
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { anthropicAdapter } from './anthropic/adapter.js';
import { geminiAdapter } from './gemini/adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';
import type { ProviderAdapter } from './provider.js';
import { DEEP_JSON, ODD_VALUE } from './__fixtures__/stream-damage.js';
import { PROVIDERS, SEED, type ProviderCase } from './__fixtures__/stream-transform-cases.js';
import { checkContract, describeError, runEvents } from './__fixtures__/stream-transform-contract.js';

describe('error events mid-stream (fuzz)', () => {
  it('an OpenAI-compatible error whose message is deeply nested JSON still throws a GatewayError', () => {
    const shapes = [
      `{"error":{"message":${DEEP_JSON}}}`,
      `{"error":{"detail":${DEEP_JSON}}}`,
      `{"x_groq":{"error":{"message":${DEEP_JSON}}},"choices":[]}`,
      `{"error":true,"message":${DEEP_JSON}}`,
    ];
    const openai = PROVIDERS[0] as ProviderCase;
    const failures: string[] = [];
    for (const data of shapes) {
      for (const event of [undefined, 'error']) {
        const run = runEvents(openai.create(false), [{ event, data, id: undefined }]);
        if (!(run.error instanceof GatewayError))
          failures.push(`${event ?? 'message'} ${data.slice(0, 40)}…: ${describeError(run.error)}`);
      }
    }
    expect([...new Set(failures)]).toEqual([]);
  });

  it('a Gemini error event with any numeric code maps to an integer HTTP error status', () => {
    const gemini = PROVIDERS[3] as ProviderCase;
    fc.assert(
      fc.property(
        // Doubles by bit pattern cluster near 0, so fractions with two decimals cover 0–1000 evenly.
        fc.oneof(
          fc.integer({ min: -1000, max: 100_000 }),
          fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        ),
        fc.option(fc.constantFrom('UNAVAILABLE', 'INTERNAL', 'NOT_A_STATUS'), { nil: undefined }),
        (code, status) => {
          const data = JSON.stringify({ error: { code, message: 'boom', ...(status === undefined ? {} : { status }) } });
          const run = runEvents(gemini.create(false), [{ event: undefined, data, id: undefined }]);
          checkContract(run, false, gemini.publicModel);
          expect(run.error).toBeInstanceOf(GatewayError);
        },
      ),
      { seed: SEED + 5, numRuns: 300 },
    );
  });
});

describe('mapError of every adapter (fuzz)', () => {
  it('maps any upstream error answer (any 4xx/5xx status, any body) to a GatewayError with an integer HTTP error status', () => {
    const adapters: Array<[string, ProviderAdapter]> = [
      ['openai-compatible', createOpenAICompatibleAdapter('openai')],
      ['anthropic', anthropicAdapter],
      ['gemini', geminiAdapter],
    ];
    const body = fc.oneof(
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
      {
        weight: 4,
        arbitrary: fc
          .record(
            {
              code: fc.oneof(
                fc.integer({ min: -1000, max: 100_000 }),
                fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
                ODD_VALUE,
              ),
              message: fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: ODD_VALUE }),
              status: fc.oneof(
                {
                  weight: 4,
                  arbitrary: fc.constantFrom('UNAVAILABLE', 'INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED', 'SOMETHING_NEW'),
                },
                { weight: 1, arbitrary: ODD_VALUE },
              ),
              type: fc.oneof(
                { weight: 4, arbitrary: fc.constantFrom('overloaded_error', 'rate_limit_error', 'api_error', 'new_error') },
                { weight: 1, arbitrary: ODD_VALUE },
              ),
            },
            { requiredKeys: ['code', 'message'] },
          )
          .map((error) => JSON.stringify({ error })),
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        body,
        fc.dictionary(
          fc.constantFrom(
            'retry-after',
            'Retry-After',
            'anthropic-ratelimit-requests-reset',
            'anthropic-ratelimit-requests-remaining',
          ),
          fc.string({ maxLength: 30 }),
        ),
        (status, text, headers) => {
          for (const [name, adapter] of adapters) {
            let error: unknown;
            try {
              error = adapter.mapError({ status, body: text, headers });
            } catch (thrown) {
              error = thrown;
            }
            expect(error instanceof GatewayError, `${name} mapError gave ${describeError(error)}`).toBe(true);
            const e = error as GatewayError;
            expect(
              Number.isInteger(e.status) && e.status >= 400 && e.status <= 599,
              `${name}: status ${e.status} for HTTP ${status} ${text.slice(0, 80)}`,
            ).toBe(true);
            expect(typeof e.message).toBe('string');
          }
        },
      ),
      { seed: SEED + 6, numRuns: 400 },
    );
  });
});
