/** The Playground's first choice: the cheapest priced model the key may call, so a capped key's first message can be afforded. */
import type { Price } from '../../lib/types';

export function defaultModel(models: readonly string[], prices: readonly Price[]): string {
  const cost = new Map(prices.map((p) => [p.model, p.input_usd_per_mtok + p.output_usd_per_mtok]));
  let best: string | undefined;
  for (const model of models) {
    const price = cost.get(model);
    if (price === undefined) continue;
    if (best === undefined || price < (cost.get(best) ?? Infinity)) best = model;
  }
  // Unpriced models only (a self-hosted server): the first is as good as any.
  return best ?? models[0] ?? '';
}
