/**
 * Requests, tokens, cost and median latency per model, key, provider, pool key or endpoint, with a
 * share-of-cost bar. A narrow card (a phone, a small window) shows each row as a small card.
 */
import { Badge } from '../../components/badge';
import { SkeletonLines } from '../../components/skeleton';
import { formatCompact, formatCount, formatMs, formatUsd } from '../../lib/format';
import type { Breakdown } from '../../lib/usage-stats';

interface BreakdownTableProps {
  title: string;
  firstColumn: string;
  /** Undefined while the summary loads. */
  rows: Breakdown[] | undefined;
  mono?: boolean;
}

export function BreakdownTable({ title, firstColumn, rows, mono }: BreakdownTableProps) {
  const totalCost = (rows ?? []).reduce((s, r) => s + r.cost_micro_usd, 0);
  const totalRequests = (rows ?? []).reduce((s, r) => s + r.requests, 0);
  return (
    <section className="card table-card stack-host" aria-label={title}>
      <h2 className="card-title card-pad">{title}</h2>
      {rows === undefined ? (
        <div className="card-pad">
          <SkeletonLines lines={4} label={title} />
        </div>
      ) : rows.length === 0 ? (
        <p className="muted card-pad">No requests in this period.</p>
      ) : (
        <table className="table table-compact table-stack table-breakdown">
          <thead>
            <tr>
              <th scope="col">{firstColumn}</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Tokens
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col" className="num">
                p50
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, 10).map((r) => {
              const share = totalCost > 0 ? r.cost_micro_usd / totalCost : totalRequests > 0 ? r.requests / totalRequests : 0;
              return (
                <tr key={r.key}>
                  <td className="cell-label">
                    <div className={mono ? 'mono small' : undefined}>{r.label}</div>
                    {r.detail ? <div className="muted small">{r.detail}</div> : null}
                    <div className="share" aria-hidden="true">
                      <div className="share-fill" style={{ width: `${Math.max(2, Math.round(share * 100))}%` }} />
                    </div>
                  </td>
                  <td className="num" data-label="Requests">
                    {formatCount(r.requests)}
                    {r.errors > 0 ? <div className="text-danger small">{formatCount(r.errors)} failed</div> : null}
                  </td>
                  <td className="num" data-label="Tokens">
                    {formatCompact(r.tokens)}
                  </td>
                  <td className="num" data-label="Cost">
                    <BreakdownCost row={r} />
                  </td>
                  <td className="num" data-label="p50">
                    {formatMs(r.p50)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Unpriced requests have no cost: "—" when nothing else was priced, else the count left out. */
function BreakdownCost({ row }: { row: Breakdown }) {
  if (row.unpriced > 0 && row.cost_micro_usd === 0)
    return (
      <>
        — <Badge tone="warn">Unpriced</Badge>
      </>
    );
  return (
    <>
      {formatUsd(row.cost_micro_usd)}
      {row.unpriced > 0 ? <div className="text-warn small">+ {formatCount(row.unpriced)} unpriced</div> : null}
    </>
  );
}
