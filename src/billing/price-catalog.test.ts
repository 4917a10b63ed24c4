import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { HOSTED_PROVIDER_IDS } from '../providers/provider.js';
import { costNanoUsd } from './cost.js';
import {
  CATALOG,
  catalogModelsFor,
  findCatalogModel,
  parseCatalog,
  resolvePrice,
  validatePriceInput,
  type ModelPrice,
} from './price-catalog.js';

const providerOf = (model: string): string => model.slice(0, model.indexOf('/'));

function validEntry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'openai/gpt-test',
    kind: 'chat',
    input_usd_per_mtok: 1,
    output_usd_per_mtok: 2,
    cached_input_usd_per_mtok: null,
    max_output_tokens: 1000,
    context_window: 8000,
    as_of: '2026-11-29',
    source: 'https://example.com/pricing',
    ...overrides,
  };
}

function catalogWith(...models: Record<string, unknown>[]): unknown {
  return { version: 1, models };
}

describe('CATALOG', () => {
  it('CATALOG covers exactly the hosted providers, every one with at least 5 models', () => {
    for (const provider of HOSTED_PROVIDER_IDS) {
      expect(catalogModelsFor(provider).length, provider).toBeGreaterThanOrEqual(5);
    }
    expect(CATALOG.every((entry) => (HOSTED_PROVIDER_IDS as readonly string[]).includes(providerOf(entry.model)))).toBe(true);
  });

  it('CATALOG has non-negative prices with at most 6 decimals', () => {
    for (const entry of CATALOG) {
      const prices = [entry.inputUsdPerMtok, entry.outputUsdPerMtok, entry.cachedInputUsdPerMtok ?? 0];
      for (const price of prices) {
        expect(price, entry.model).toBeGreaterThanOrEqual(0);
        expect(Number(price.toFixed(6)), entry.model).toBe(price);
      }
    }
  });

  it('CATALOG never prices cached input above fresh input', () => {
    for (const entry of CATALOG) {
      if (entry.cachedInputUsdPerMtok !== null) {
        expect(entry.cachedInputUsdPerMtok, entry.model).toBeLessThanOrEqual(entry.inputUsdPerMtok);
      }
    }
  });

  it('CATALOG entries carry a date and an https pricing source', () => {
    for (const entry of CATALOG) {
      expect(entry.asOf, entry.model).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(new URL(entry.source).protocol, entry.model).toBe('https:');
    }
  });

  it('CATALOG has no duplicate models', () => {
    const models = CATALOG.map((entry) => entry.model);
    expect(new Set(models).size).toBe(models.length);
  });

  it('CATALOG gives every chat model max_output_tokens and every embedding model a zero output price', () => {
    for (const entry of CATALOG) {
      if (entry.kind === 'chat') expect(entry.maxOutputTokens, entry.model).toBeGreaterThan(0);
      else expect(entry.outputUsdPerMtok, entry.model).toBe(0);
    }
  });

  it('CATALOG contains the model strings the product documents', () => {
    for (const model of [
      'openai/gpt-4o-mini',
      'anthropic/claude-sonnet-4-5',
      'gemini/gemini-2.5-flash',
      'groq/llama-3.3-70b-versatile',
      'together/meta-llama/Llama-3.3-70B-Instruct-Turbo',
      'fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct',
      'mistral/mistral-small-latest',
    ]) {
      expect(findCatalogModel(model), model).toBeDefined();
    }
  });

  it('CATALOG is frozen', () => {
    expect(Object.isFrozen(CATALOG)).toBe(true);
    expect(CATALOG.every((entry) => Object.isFrozen(entry))).toBe(true);
  });
});

describe('parseCatalog', () => {
  it('parseCatalog() maps snake_case JSON to camelCase entries', () => {
    expect(parseCatalog(catalogWith(validEntry({ cached_input_usd_per_mtok: 0.5 })))).toEqual([
      {
        model: 'openai/gpt-test',
        kind: 'chat',
        inputUsdPerMtok: 1,
        outputUsdPerMtok: 2,
        cachedInputUsdPerMtok: 0.5,
        cacheWrite5mUsdPerMtok: null,
        cacheWrite1hUsdPerMtok: null,
        maxOutputTokens: 1000,
        contextWindow: 8000,
        asOf: '2026-11-29',
        source: 'https://example.com/pricing',
      },
    ]);
  });

  it.each([
    ['a non-object', 'not a catalog', '(root)'],
    ['a wrong version', { version: 2, models: [validEntry()] }, 'version'],
    ['a missing price', catalogWith(validEntry({ input_usd_per_mtok: undefined })), 'models.0.input_usd_per_mtok'],
    ['a negative price', catalogWith(validEntry({ output_usd_per_mtok: -1 })), 'models.0.output_usd_per_mtok'],
    ['7 decimals', catalogWith(validEntry({ input_usd_per_mtok: 0.0000001 })), 'models.0.input_usd_per_mtok'],
    ['a price as a string', catalogWith(validEntry({ input_usd_per_mtok: '1' })), 'models.0.input_usd_per_mtok'],
    ['an unknown provider', catalogWith(validEntry({ model: 'acme/model' })), 'models.0.model'],
    ['the custom provider', catalogWith(validEntry({ model: 'custom/model' })), 'models.0.model'],
    ['no provider prefix', catalogWith(validEntry({ model: 'gpt-4o' })), 'models.0.model'],
    ['a chat model without max_output_tokens', catalogWith(validEntry({ max_output_tokens: null })), 'max_output_tokens'],
    [
      'an embedding model with an output price',
      catalogWith(validEntry({ kind: 'embedding', output_usd_per_mtok: 1 })),
      'output_usd_per_mtok',
    ],
    ['a missing as_of', catalogWith(validEntry({ as_of: undefined })), 'models.0.as_of'],
    ['a plain-http source', catalogWith(validEntry({ source: 'http://example.com' })), 'models.0.source'],
    ['an unknown field', catalogWith(validEntry({ price: 1 })), 'models.0'],
    ['a duplicate model', catalogWith(validEntry(), validEntry()), 'models.1.model'],
  ])('parseCatalog() rejects %s with a message naming the field', (_label, json, field) => {
    expect(() => parseCatalog(json)).toThrow(/^Invalid billing catalog \(src\/billing\/catalog\.json\): /);
    expect(() => parseCatalog(json)).toThrow(field);
  });
});

describe('findCatalogModel', () => {
  it('findCatalogModel() finds an exact model string', () => {
    expect(findCatalogModel('openai/gpt-4o-mini')).toMatchObject({
      kind: 'chat',
      inputUsdPerMtok: 0.15,
      outputUsdPerMtok: 0.6,
      cachedInputUsdPerMtok: 0.075,
      maxOutputTokens: 16384,
    });
  });

  it('findCatalogModel() is exact: no case folding, no missing prefix, no unknown model', () => {
    expect(findCatalogModel('together/meta-llama/llama-3.3-70b-instruct-turbo')).toBeUndefined();
    expect(findCatalogModel('gpt-4o-mini')).toBeUndefined();
    expect(findCatalogModel('openai/gpt-4o-mini ')).toBeUndefined();
    expect(findCatalogModel('openai/no-such-model')).toBeUndefined();
  });
});

describe('catalogModelsFor', () => {
  it('catalogModelsFor() selects by the part before the first slash', () => {
    const together = catalogModelsFor('together');
    expect(together.map((entry) => entry.model)).toContain('together/meta-llama/Llama-3.3-70B-Instruct-Turbo');
    expect(together.every((entry) => entry.model.startsWith('together/'))).toBe(true);
  });

  it('catalogModelsFor() returns nothing for custom, unknown ids and id prefixes', () => {
    expect(catalogModelsFor('custom')).toEqual([]);
    expect(catalogModelsFor('ollama')).toEqual([]);
    expect(catalogModelsFor('open')).toEqual([]);
    expect(catalogModelsFor('meta-llama')).toEqual([]);
  });
});

describe('resolvePrice', () => {
  const custom = (model: string, input: number, output: number, cached: number | null = null): ModelPrice => ({
    model,
    inputUsdPerMtok: input,
    outputUsdPerMtok: output,
    cachedInputUsdPerMtok: cached,
    source: 'custom',
  });

  it('resolvePrice() falls back to the catalog', () => {
    expect(resolvePrice('anthropic/claude-sonnet-4-5', new Map())).toEqual({
      model: 'anthropic/claude-sonnet-4-5',
      inputUsdPerMtok: 3,
      outputUsdPerMtok: 15,
      cachedInputUsdPerMtok: 0.3,
      cacheWrite5mUsdPerMtok: 3.75,
      cacheWrite1hUsdPerMtok: 6,
      source: 'catalog',
    });
  });

  it('resolvePrice() lets a custom price win over the catalog', () => {
    const prices = new Map([['openai/gpt-4o-mini', custom('openai/gpt-4o-mini', 0.1, 0.4)]]);
    expect(resolvePrice('openai/gpt-4o-mini', prices)).toEqual(custom('openai/gpt-4o-mini', 0.1, 0.4));
  });

  it('resolvePrice() treats a custom price of 0 as free, not as unpriced', () => {
    const prices = new Map([['ollama/llama3.2', custom('ollama/llama3.2', 0, 0)]]);
    const price = resolvePrice('ollama/llama3.2', prices);
    expect(price).toEqual(custom('ollama/llama3.2', 0, 0));
    expect(price && costNanoUsd({ promptTokens: 1000, completionTokens: 1000, cachedTokens: 0 }, price)).toBe(0);
  });

  it('resolvePrice() also lets a custom 0 override a paid catalog price', () => {
    const prices = new Map([['openai/gpt-4o', custom('openai/gpt-4o', 0, 0, 0)]]);
    expect(resolvePrice('openai/gpt-4o', prices)?.inputUsdPerMtok).toBe(0);
  });

  it('resolvePrice() returns undefined for a model nobody priced', () => {
    expect(resolvePrice('vllm-prod/qwen3', new Map())).toBeUndefined();
  });

  it("resolvePrice() keeps an override's own source: an account's price is custom, an imported catalog price is catalog", () => {
    const own = custom('openai/gpt-4o', 1, 2);
    expect(resolvePrice('openai/gpt-4o', new Map([['openai/gpt-4o', own]]))?.source).toBe('custom');
    const imported: ModelPrice = { ...own, source: 'catalog' };
    expect(resolvePrice('openai/gpt-4o', new Map([['openai/gpt-4o', imported]]))).toMatchObject({
      source: 'catalog',
      inputUsdPerMtok: 1,
    });
  });
});

describe('validatePriceInput', () => {
  it('validatePriceInput() accepts a valid body and returns a custom price', () => {
    expect(
      validatePriceInput({
        model: 'ollama/llama3.2',
        input_usd_per_mtok: 0,
        output_usd_per_mtok: 0.000001,
        cached_input_usd_per_mtok: 10000,
      }),
    ).toEqual({
      model: 'ollama/llama3.2',
      inputUsdPerMtok: 0,
      outputUsdPerMtok: 0.000001,
      cachedInputUsdPerMtok: 10000,
      cacheWrite5mUsdPerMtok: null,
      cacheWrite1hUsdPerMtok: null,
      source: 'custom',
    });
  });

  it('validatePriceInput() treats a missing or null cached price as none', () => {
    const base = { model: 'together/Qwen/Qwen3.5-9B', input_usd_per_mtok: 1, output_usd_per_mtok: 2 };
    expect(validatePriceInput(base).cachedInputUsdPerMtok).toBeNull();
    expect(validatePriceInput({ ...base, cached_input_usd_per_mtok: null }).cachedInputUsdPerMtok).toBeNull();
  });

  it.each([
    ['a model without provider', { model: 'gpt-4o' }, 'model'],
    ['an uppercase provider', { model: 'OpenAI/gpt-4o' }, 'model'],
    ['whitespace in the model', { model: 'openai/gpt 4o' }, 'model'],
    ['a negative price', { input_usd_per_mtok: -0.01 }, 'input_usd_per_mtok'],
    ['a price above 10000', { output_usd_per_mtok: 10000.000001 }, 'output_usd_per_mtok'],
    ['7 decimals', { input_usd_per_mtok: 0.1234567 }, 'input_usd_per_mtok'],
    ['Infinity', { output_usd_per_mtok: Number.POSITIVE_INFINITY }, 'output_usd_per_mtok'],
    ['NaN', { input_usd_per_mtok: Number.NaN }, 'input_usd_per_mtok'],
    ['a numeric string', { input_usd_per_mtok: '1.5' }, 'input_usd_per_mtok'],
    ['a negative cached price', { cached_input_usd_per_mtok: -1 }, 'cached_input_usd_per_mtok'],
    ['a missing output price', { output_usd_per_mtok: undefined }, 'output_usd_per_mtok'],
  ])('validatePriceInput() rejects %s with a 400 naming the field', (_label, change, param) => {
    const body = { model: 'openai/gpt-4o', input_usd_per_mtok: 1, output_usd_per_mtok: 2, ...change };
    let error: unknown;
    try {
      validatePriceInput(body);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request', param });
  });

  it('validatePriceInput() rejects a body that is not an object', () => {
    expect(() => validatePriceInput(null)).toThrow(GatewayError);
    expect(() => validatePriceInput([])).toThrow(GatewayError);
  });
});
