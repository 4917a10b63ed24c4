/**
 * Which price bills a model for this account, decided as the gateway does: the account's own or
 * the catalog's price of the exact model string, else (built-in providers, which may be connected
 * under another name such as `openai-2`) the price of the provider's model id. Undefined: unpriced.
 */
import type { Price, ProviderRecord } from './types';

export type PriceOf = (model: string) => Price | undefined;

export function pricer(prices: readonly Price[], providers: readonly ProviderRecord[]): PriceOf {
  const byModel = new Map(prices.map((p) => [p.model, p]));
  const typeByName = new Map(providers.map((p) => [p.name, p.provider]));
  return (model) => {
    const exact = byModel.get(model);
    if (exact) return exact;
    const slash = model.indexOf('/');
    const type = typeByName.get(model.slice(0, slash));
    if (slash <= 0 || type === undefined || type === 'custom') return undefined;
    return byModel.get(`${type}/${model.slice(slash + 1)}`);
  };
}
