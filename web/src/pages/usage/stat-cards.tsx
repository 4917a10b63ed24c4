/** The period's totals: requests, tokens, cost, latency and time to first token, all from the summary. */
import type { ReactNode } from 'react';
import { formatCompact, formatCount, formatMs } from '../../lib/format';
import { linkClick } from '../../lib/router';
import type { Headlines, LatencyStats, UsageSummary } from '../../lib/usage-stats';

/** The Prices page showing only the models without a price, among them those these requests used. */
export function unpricedPricesHref(models: readonly string[]): string {
  const q = new URLSearchParams({ source: 'unpriced' });
  for (const m of models.slice(0, 20)) q.append('used', m);
  return `/prices?${q.toString()}`;
}

interface StatCardsProps {
  /** Undefined while the summary loads: each card shows a placeholder. */
  totals: UsageSummary['totals'] | undefined;
  figures: Headlines | undefined;
  /** The models that served the period's unpriced requests. */
  unpricedModels: readonly string[];
}

export function StatCards({ totals, figures, unpricedModels }: StatCardsProps) {
  if (totals === undefined || figures === undefined) {
    return (
      <section className="stat-grid stat-grid-5" aria-label="Totals">
        {['Requests', 'Tokens', 'Cost', 'Latency p50', 'Time to first token p50'].map((label, i) => (
          <div key={label} className="card stat" aria-busy="true">
            <div className="stat-label">{label}</div>
            {i === 0 ? <span className="sr-only">Loading the totals…</span> : null}
            <span className="skeleton-line skeleton-value" aria-hidden="true" />
          </div>
        ))}
      </section>
    );
  }
  const unpriced = totals.unpriced_requests;
  const pricesHref = unpricedPricesHref(unpricedModels);
  return (
    <section className="stat-grid stat-grid-5" aria-label="Totals">
      <Stat
        label="Requests"
        value={figures.requests}
        detail={totals.requests > 0 ? `${formatCount(totals.errors)} failed` : 'none yet'}
      />
      <Stat
        label="Tokens"
        value={figures.tokens}
        detail={`${formatCompact(totals.prompt_tokens)} in · ${formatCompact(totals.completion_tokens)} out`}
      />
      <Stat
        label="Cost"
        value={figures.cost}
        detail={
          unpriced > 0 ? (
            <>
              <span className="text-warn">{formatCount(unpriced)} unpriced — not counted</span>{' '}
              <a href={pricesHref} onClick={linkClick(pricesHref)}>
                Set prices
              </a>
            </>
          ) : (
            'at provider list prices'
          )
        }
      />
      <Percentiles label="Latency p50" stats={totals.latency_ms} empty="no requests" />
      <Percentiles label="Time to first token p50" stats={totals.ttft_ms} empty="no streamed answers" />
    </section>
  );
}

function Percentiles({ label, stats, empty }: { label: string; stats: LatencyStats; empty: string }) {
  const detail = stats.p95 === null ? empty : `p95 ${formatMs(stats.p95)} · p99 ${formatMs(stats.p99)}`;
  return <Stat label={label} value={formatMs(stats.p50)} detail={detail} />;
}

function Stat({ label, value, detail }: { label: string; value: string; detail: ReactNode }) {
  return (
    <div className="card stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      <div className="stat-detail">{detail}</div>
    </div>
  );
}
