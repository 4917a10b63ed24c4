/** Requests, tokens, cost and median latency per model, key, provider or endpoint, with a share-of-cost bar. */
import { formatCompact, formatCount, formatMs, formatUsd } from '../../lib/format';
import type { Breakdown } from '../../lib/usage-stats';

interface BreakdownTableProps {
  title: string;
  firstColumn: string;
  rows: Breakdown[];
  mono?: boolean;
}

export function BreakdownTable({ title, firstColumn, rows, mono }: BreakdownTableProps) {
  const totalCost = rows.reduce((s, r) => s + r.cost_micro_usd, 0);
  const totalRequests = rows.reduce((s, r) => s + r.requests, 0);
  return (
    <section className="card table-card" aria-label={title}>
      <h2 className="card-title card-pad">{title}</h2>
      {rows.length === 0 ? (
        <p className="muted card-pad">No requests in this period.</p>
      ) : (
        <table className="table table-compact">
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
                <tr key={r.label}>
                  <td>
                    <div className={mono ? 'mono small' : undefined}>{r.label}</div>
                    <div className="share" aria-hidden="true">
                      <div className="share-fill" style={{ width: `${Math.max(2, Math.round(share * 100))}%` }} />
                    </div>
                  </td>
                  <td className="num">
                    {formatCount(r.requests)}
                    {r.errors > 0 ? <span className="text-danger small"> ({r.errors} failed)</span> : null}
                  </td>
                  <td className="num">{formatCompact(r.tokens)}</td>
                  <td className="num">{formatUsd(r.cost_micro_usd)}</td>
                  <td className="num">{formatMs(r.p50)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
