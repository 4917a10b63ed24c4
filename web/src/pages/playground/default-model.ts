/** The Playground's first choice: the cheapest priced model the key may call, so a capped key's first message can be afforded. */
import type { PriceOf } from '../../lib/pricing';

export function defaultModel(models: readonly string[], priceOf: PriceOf): string {
  let best: string | undefined;
  let bestCost = Infinity;
  for (const model of models) {
    const price = priceOf(model);
    if (price === undefined) continue;
    const cost = price.input_usd_per_mtok + price.output_usd_per_mtok;
    if (cost < bestCost) {
      best = model;
      bestCost = cost;
    }
  }
  // Unpriced models only (a self-hosted server): the first is as good as any.
  return best ?? models[0] ?? '';
}
