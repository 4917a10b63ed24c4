import { describe, expect, it } from 'vitest';
import { costBasis } from '../billing/cost-lines.js';
import type { ModelPrice } from '../billing/price-catalog.js';
import { decodeDetail, encodeDetail, type AttemptEntry } from './usage-detail.js';

const PRICE: ModelPrice = {
  model: 'openai/x',
  inputUsdPerMtok: 2.5,
  outputUsdPerMtok: 10,
  cachedInputUsdPerMtok: 1.25,
  source: 'custom',
};

const entry = (over: Partial<AttemptEntry> = {}): AttemptEntry => ({
  model: 'openai/gpt-4o-mini',
  provider: 'openai',
  poolKeyId: 'pky_1',
  status: 200,
  errorCode: null,
  latencyMs: 12,
  ...over,
});

describe('usage detail', () => {
  it('is the JSON of the nested arrays, whatever the text of names and codes', () => {
    const attempts = [
      entry({ model: 'custom/with "quotes", \\ and\nnewline', status: 429, errorCode: 'rate_limit_exceeded', latencyMs: 3 }),
      entry({ provider: null, poolKeyId: null, errorCode: 'ünïcødé\u2028', status: 502 }),
      entry(),
    ];
    const basis = costBasis({ promptTokens: 100, completionTokens: 7, cachedTokens: 40 }, PRICE);
    for (const cost of [undefined, basis]) {
      const text = encodeDetail(attempts, cost);
      const a = attempts.map((e) => [e.model, e.provider, e.poolKeyId, e.status, e.errorCode, e.latencyMs]);
      expect(JSON.parse(text)).toEqual(
        cost === undefined ? { a } : { a, c: { t: [60, 40, 0, 0, 7], p: [2.5, 1.25, 2.5, 2.5, 10] } },
      );
    }
    expect(encodeDetail([], undefined)).toBe('{"a":[]}');
  });

  it('reads back as the attempt log and the cost lines, adding up to the row cost', () => {
    const basis = costBasis({ promptTokens: 1000, completionTokens: 100, cachedTokens: 0 }, PRICE);
    const text = encodeDetail([entry({ status: 429, errorCode: 'rate_limit_exceeded', poolKeyId: 'pky_0' }), entry()], basis);
    expect(decodeDetail(text, { unpriced: false, costMicroUsd: 3500 })).toEqual({
      attempt_log: [
        {
          model: 'openai/gpt-4o-mini',
          provider: 'openai',
          pool_key_id: 'pky_0',
          status: 429,
          error_code: 'rate_limit_exceeded',
          latency_ms: 12,
        },
        { model: 'openai/gpt-4o-mini', provider: 'openai', pool_key_id: 'pky_1', status: 200, error_code: null, latency_ms: 12 },
      ],
      cost: {
        priced: true,
        lines: [
          { class: 'input', tokens: 1000, usd_per_mtok: 2.5, cost_micro_usd: 2500 },
          { class: 'output', tokens: 100, usd_per_mtok: 10, cost_micro_usd: 1000 },
        ],
        total_micro_usd: 3500,
      },
    });
  });

  it('an unpriced row has no lines; a row without a (readable) detail has no attempts', () => {
    expect(decodeDetail(encodeDetail([entry()], undefined), { unpriced: true, costMicroUsd: 0 }).cost).toEqual({
      priced: false,
      lines: [],
      total_micro_usd: 0,
    });
    for (const detail of [null, '', '{', '[]', '{"a":"x","c":{"t":[1],"p":"y"}}']) {
      expect(decodeDetail(detail, { unpriced: false, costMicroUsd: 7 })).toEqual({
        attempt_log: [],
        cost: { priced: true, lines: [], total_micro_usd: 7 },
      });
    }
  });
});
