/** The period's totals: requests, tokens, cost, latency and time to first token, all from the summary. */
import { formatCompact, formatCount, formatMs, formatUsd } from '../../lib/format';
import type { LatencyStats, SummarySums } from '../../lib/usage-stats';

export function StatCards({ totals }: { totals: SummarySums | undefined }) {
  return (
    <section className="stat-grid stat-grid-5" aria-label="Totals">
      <Stat
        label="Requests"
        value={totals ? formatCount(totals.requests) : '—'}
        detail={totals ? (totals.requests > 0 ? `${formatCount(totals.errors)} failed` : 'none yet') : ''}
      />
      <Stat
        label="Tokens"
        value={totals ? formatCompact(totals.prompt_tokens + totals.completion_tokens) : '—'}
        detail={totals ? `${formatCompact(totals.prompt_tokens)} in · ${formatCompact(totals.completion_tokens)} out` : ''}
      />
      <Stat label="Cost" value={totals ? formatUsd(totals.cost_micro_usd) : '—'} detail="at provider list prices" />
      <Percentiles label="Latency p50" stats={totals?.latency_ms} empty="no requests" />
      <Percentiles label="Time to first token p50" stats={totals?.ttft_ms} empty="no streamed answers" />
    </section>
  );
}

function Percentiles({ label, stats, empty }: { label: string; stats: LatencyStats | undefined; empty: string }) {
  const detail =
    stats === undefined ? '' : stats.p95 === null ? empty : `p95 ${formatMs(stats.p95)} · p99 ${formatMs(stats.p99)}`;
  return <Stat label={label} value={formatMs(stats?.p50)} detail={detail} />;
}

function Stat({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <div className="card stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      <div className="stat-detail">{detail}</div>
    </div>
  );
}
