/**
 * Property tests for the three stream transforms (OpenAI-compatible, Anthropic, Gemini), fed the
 * recorded-style fixtures split at random network boundaries and cut short: a split never changes
 * the answer or how it ends, and a stream cut before its terminal event never ends cleanly. The
 * StreamTransform contract holds throughout (see __fixtures__/stream-transform-contract.ts).
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { PROVIDERS, SEED } from './__fixtures__/stream-transform-cases.js';
import {
  assembled,
  checkContract,
  describeError,
  fixtureEvents,
  parsed,
  runEvents,
} from './__fixtures__/stream-transform-contract.js';
import { CUTS } from './__fixtures__/stream-damage.js';
import { split } from '../../test/helpers/fuzz.js';

describe.each(PROVIDERS)('$name stream transform (fuzz)', (provider) => {
  const fixtureArb = fc.constantFrom(...provider.fixtures);

  it('turns every fixture, split anywhere, into the same answer and the expected ending', () => {
    fc.assert(
      fc.property(fixtureArb, CUTS, fc.boolean(), (f, cuts, includeUsage) => {
        const whole = runEvents(provider.create(includeUsage), fixtureEvents(f));
        const run = runEvents(provider.create(includeUsage), parsed(split(f.bytes, cuts)));
        checkContract(run, includeUsage, provider.publicModel);
        expect(assembled(run.chunks)).toEqual(assembled(whole.chunks));
        if (f.outcome === 'complete') {
          expect(run.error, describeError(run.error)).toBeUndefined();
          expect(assembled(run.chunks).finishes).not.toBe('');
          if (includeUsage) expect(run.chunks.at(-1)?.usage).toBeTruthy();
        } else {
          expect(run.error).toBeInstanceOf(GatewayError);
          expect((run.error as GatewayError).failure).toBe(f.outcome === 'cut' ? 'reset' : 'protocol');
          expect(run.thrownBy).toBe(f.outcome === 'cut' ? 'end' : 'push');
        }
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('never ends cleanly when the connection is cut before the terminal event', () => {
    const complete = provider.fixtures.filter((f) => f.terminalAt > 0);
    expect(complete.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.constantFrom(...complete), fc.nat(), CUTS, fc.boolean(), (f, at, cuts, includeUsage) => {
        const truncated = f.bytes.subarray(0, at % (f.terminalAt + 1));
        const run = runEvents(provider.create(includeUsage), parsed(split(truncated, cuts)));
        checkContract(run, includeUsage, provider.publicModel);
        expect(run.error, `a stream cut at byte ${truncated.length} of ${f.bytes.length} ended cleanly`).toBeInstanceOf(
          GatewayError,
        );
      }),
      { seed: SEED + 1, numRuns: 150 },
    );
  });
});
