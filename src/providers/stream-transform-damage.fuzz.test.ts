/**
 * Property tests for the three stream transforms (OpenAI-compatible, Anthropic, Gemini) on damaged
 * input: the fixtures corrupted byte by byte and event by event, random events (provider-shaped or
 * not) and deeply nested JSON in any field. Whatever comes in, the StreamTransform contract holds:
 * anything thrown is a GatewayError (see __fixtures__/stream-transform-contract.ts).
 *
 * Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import type { SseEvent } from './provider.js';
import { SHAPED_EVENT } from './__fixtures__/shaped-events.js';
import { BYTE_EDITS, CUTS, DEEP_JSON, EVENT_EDIT, RANDOM_EVENT, damageEvents } from './__fixtures__/stream-damage.js';
import { PROVIDERS, SEED } from './__fixtures__/stream-transform-cases.js';
import { checkContract, describeError, fixtureEvents, parsed, runEvents } from './__fixtures__/stream-transform-contract.js';
import { damageBytes, pathsOf, setAt, split } from '../../test/helpers/fuzz.js';

describe.each(PROVIDERS)('$name stream transform (fuzz)', (provider) => {
  const fixtureArb = fc.constantFrom(...provider.fixtures);
  const shaped = SHAPED_EVENT[provider.name] as fc.Arbitrary<SseEvent>;

  it('only ever throws GatewayErrors on corrupted bytes in random splits', () => {
    fc.assert(
      fc.property(fixtureArb, BYTE_EDITS, CUTS, fc.boolean(), (f, damage, cuts, includeUsage) => {
        const bytes = damageBytes(f.bytes, damage);
        checkContract(runEvents(provider.create(includeUsage), parsed(split(bytes, cuts))), includeUsage, provider.publicModel);
      }),
      { seed: SEED + 2, numRuns: 200 },
    );
  });

  it('only ever throws GatewayErrors when fields have the wrong type and events are dropped, repeated or reordered', () => {
    fc.assert(
      fc.property(fixtureArb, fc.array(EVENT_EDIT, { minLength: 1, maxLength: 5 }), fc.boolean(), (f, edits, includeUsage) => {
        checkContract(
          runEvents(provider.create(includeUsage), damageEvents(fixtureEvents(f), edits)),
          includeUsage,
          provider.publicModel,
        );
      }),
      { seed: SEED + 3, numRuns: 300 },
    );
  });

  it('only ever throws GatewayErrors on random events, provider-shaped or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 3, arbitrary: shaped }, { weight: 1, arbitrary: RANDOM_EVENT }), { maxLength: 12 }),
        fc.boolean(),
        (events, includeUsage) => {
          checkContract(runEvents(provider.create(includeUsage), events), includeUsage, provider.publicModel);
        },
      ),
      { seed: SEED + 4, numRuns: 300 },
    );
  });

  it('only ever throws GatewayErrors when any field of any event holds deeply nested JSON', () => {
    // Every field of every fixture event, one at a time, replaced by a 20,000-level nested array.
    const cases: Array<{ fixture: string; event: number; path: string; events: SseEvent[] }> = [];
    for (const f of provider.fixtures) {
      const events = fixtureEvents(f);
      events.forEach((event, i) => {
        let json: unknown;
        try {
          json = JSON.parse(event.data);
        } catch {
          return;
        }
        for (const path of pathsOf(json)) {
          const copy = structuredClone(json);
          setAt(copy, path, '\u0000DEEP\u0000');
          const data = JSON.stringify(copy).replace('"\\u0000DEEP\\u0000"', DEEP_JSON);
          cases.push({
            fixture: f.name,
            event: i,
            path: path.join('.'),
            events: events.map((e, j) => (j === i ? { ...e, data } : e)),
          });
        }
      });
    }
    const failures: string[] = [];
    for (const c of cases) {
      const run = runEvents(provider.create(true), c.events);
      if (run.error !== undefined && !(run.error instanceof GatewayError)) {
        failures.push(`${c.fixture} event ${c.event} ${c.path}: ${describeError(run.error)}`);
      }
    }
    expect(cases.length).toBeGreaterThan(10);
    expect([...new Set(failures)]).toEqual([]);
  });
});
