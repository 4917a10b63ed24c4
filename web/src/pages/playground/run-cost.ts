/** The cost of a Playground run from the account's prices (USD per Mtok = micro-USD per token). */
import type { Price } from '../../lib/types';
import type { RunStats } from './use-chat-stream';

export function runCostMicro(run: RunStats, prices: readonly Price[], requested: string): number | null {
  if (run.promptTokens === null || run.completionTokens === null) return null;
  const price = prices.find((p) => p.model === run.model) ?? prices.find((p) => p.model === requested);
  if (!price) return null;
  const cached = Math.min(run.cachedTokens, run.promptTokens);
  const cachedPrice = price.cached_input_usd_per_mtok ?? price.input_usd_per_mtok;
  return (
    (run.promptTokens - cached) * price.input_usd_per_mtok +
    cached * cachedPrice +
    run.completionTokens * price.output_usd_per_mtok
  );
}
