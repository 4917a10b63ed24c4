/** The period's totals: requests, tokens, cost, latency. */
import { formatCompact, formatCount, formatMs, formatUsd } from '../../lib/format';
import type { UsageRecord, UsageTotals } from '../../lib/types';
import { latencySummary } from '../../lib/usage-stats';

export function StatCards({ totals, rows }: { totals: UsageTotals | undefined; rows: UsageRecord[] }) {
  const latency = latencySummary(rows);
  const errors = rows.filter((r) => r.status >= 400).length;
  const t = totals ?? { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_micro_usd: 0 };
  return (
    <section className="stat-grid" aria-label="Totals">
      <Stat
        label="Requests"
        value={formatCount(t.requests)}
        detail={rows.length > 0 ? `${formatCount(errors)} failed` : 'none yet'}
      />
      <Stat
        label="Tokens"
        value={formatCompact(t.prompt_tokens + t.completion_tokens)}
        detail={`${formatCompact(t.prompt_tokens)} in · ${formatCompact(t.completion_tokens)} out`}
      />
      <Stat label="Cost" value={formatUsd(t.cost_micro_usd)} detail="at provider list prices" />
      <Stat
        label="Latency p50 / p95"
        value={latency.p50 === null ? '—' : formatMs(latency.p50)}
        detail={latency.p95 === null ? 'no requests' : `p95 ${formatMs(latency.p95)}`}
      />
    </section>
  );
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
