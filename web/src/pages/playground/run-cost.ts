/** The cost of a Playground run from the account's prices (USD per Mtok = micro-USD per token); null when unpriced. */
import type { PriceOf } from '../../lib/pricing';
import type { RunStats } from './use-chat-stream';

export function runCostMicro(run: RunStats, priceOf: PriceOf, requested: string): number | null {
  if (run.promptTokens === null || run.completionTokens === null) return null;
  const price = priceOf(run.model) ?? priceOf(requested);
  if (!price) return null;
  const cached = Math.min(run.cachedTokens, run.promptTokens);
  const cachedPrice = price.cached_input_usd_per_mtok ?? price.input_usd_per_mtok;
  return (
    (run.promptTokens - cached) * price.input_usd_per_mtok +
    cached * cachedPrice +
    run.completionTokens * price.output_usd_per_mtok
  );
}
