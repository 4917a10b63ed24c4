/**
 * Reads a price list in LiteLLM's `model_prices_and_context_window.json` format, the one most
 * gateways and trackers share: per model, USD per token (`input_cost_per_token`,
 * `output_cost_per_token`, `cache_read_input_token_cost`, `cache_creation_input_token_cost`,
 * `cache_creation_input_token_cost_above_1hr`), the provider (`litellm_provider`) and `mode`.
 * Entries of providers Z-AI does not serve, and modes other than chat and embedding, are skipped;
 * a malformed, negative or non-finite price refuses the whole file.
 */
import { invalidRequest } from '../errors.js';
import { isRecord } from '../lib/is-record.js';
import { MAX_USD_PER_MTOK, type ModelPrice } from './price-catalog.js';

/** LiteLLM's provider names → Z-AI's. */
const PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'gemini',
  groq: 'groq',
  mistral: 'mistral',
  together_ai: 'together',
  fireworks_ai: 'fireworks',
};

export interface LiteLlmPrices {
  prices: ModelPrice[];
  /** Entries not for Z-AI (other providers, image or audio models, LiteLLM's `sample_spec`). */
  skipped: number;
}

/** USD per token → USD per million tokens, at most 6 decimals; undefined when absent. */
function perMtok(entry: Record<string, unknown>, field: string, where: string, errors: string[]): number | undefined {
  const value = entry[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    errors.push(`${where}.${field} must be a finite number (USD per token)`);
    return undefined;
  }
  if (value < 0) {
    errors.push(`${where}.${field} must not be negative`);
    return undefined;
  }
  const usd = Number((value * 1e6).toFixed(6));
  if (usd > MAX_USD_PER_MTOK) {
    errors.push(`${where}.${field} is ${usd} USD per million tokens, above the ${MAX_USD_PER_MTOK} limit`);
    return undefined;
  }
  return usd;
}

/**
 * Maps a LiteLLM price list to Z-AI model strings and prices (source `catalog`).
 * @throws GatewayError 400 naming the first offending entries; nothing is then imported.
 */
export function parseLiteLlmPrices(json: unknown): LiteLlmPrices {
  if (!isRecord(json)) throw invalidRequest('The price list must be a JSON object of models (LiteLLM format).');
  const errors: string[] = [];
  const prices: ModelPrice[] = [];
  let skipped = 0;
  for (const [key, entry] of Object.entries(json)) {
    if (key === 'sample_spec') {
      skipped += 1;
      continue;
    }
    if (!isRecord(entry)) {
      errors.push(`${key} must be an object`);
      continue;
    }
    const litellmProvider = entry.litellm_provider;
    const provider = typeof litellmProvider === 'string' ? PROVIDERS[litellmProvider] : undefined;
    if (provider === undefined || (entry.mode !== 'chat' && entry.mode !== 'embedding')) {
      skipped += 1;
      continue;
    }
    const id = key.startsWith(`${String(litellmProvider)}/`) ? key.slice(String(litellmProvider).length + 1) : key;
    if (id === '' || /\s/.test(id) || id.length > 200) {
      errors.push(`${key} is not a usable model id`);
      continue;
    }
    const input = perMtok(entry, 'input_cost_per_token', key, errors);
    const output = perMtok(entry, 'output_cost_per_token', key, errors);
    const cachedInput = perMtok(entry, 'cache_read_input_token_cost', key, errors);
    const write5m = perMtok(entry, 'cache_creation_input_token_cost', key, errors);
    const write1h = perMtok(entry, 'cache_creation_input_token_cost_above_1hr', key, errors);
    if (input === undefined) {
      if (entry.input_cost_per_token === undefined) errors.push(`${key}.input_cost_per_token is missing`);
      continue;
    }
    if (output === undefined && entry.mode === 'chat') {
      if (entry.output_cost_per_token === undefined) errors.push(`${key}.output_cost_per_token is missing`);
      continue;
    }
    prices.push({
      model: `${provider}/${id}`,
      inputUsdPerMtok: input,
      outputUsdPerMtok: output ?? 0,
      cachedInputUsdPerMtok: cachedInput ?? null,
      cacheWrite5mUsdPerMtok: write5m ?? null,
      cacheWrite1hUsdPerMtok: write1h ?? null,
      source: 'catalog',
    });
  }
  if (errors.length > 0) {
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    throw invalidRequest(`The price list was refused and nothing changed: ${errors.slice(0, 5).join('; ')}${more}.`);
  }
  return { prices, skipped };
}
