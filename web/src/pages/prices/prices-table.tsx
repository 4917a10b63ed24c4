import { Badge } from '../../components/badge';
import { formatPerMtok } from '../../lib/format';
import type { Price } from '../../lib/types';

interface PricesTableProps {
  prices: Price[];
  loaded: boolean;
  onEdit: (price: Price) => void;
  onRemove: (price: Price) => void;
}

export function PricesTable({ prices, loaded, onEdit, onRemove }: PricesTableProps) {
  return (
    <div className="card table-card">
      <div className="table-scroll">
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">
                Input
              </th>
              <th scope="col" className="num">
                Cached input
              </th>
              <th scope="col" className="num">
                Cache write 5 min / 1 h
              </th>
              <th scope="col" className="num">
                Output
              </th>
              <th scope="col">Source</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {prices.map((p) => (
              <tr key={p.model}>
                <td className="mono small">{p.model}</td>
                <td className="num">{formatPerMtok(p.input_usd_per_mtok)}</td>
                <td className="num">{formatPerMtok(p.effective?.cached_input_usd_per_mtok ?? p.cached_input_usd_per_mtok)}</td>
                <td className="num">
                  {formatPerMtok(p.effective?.cache_write_5m_usd_per_mtok ?? null)} /{' '}
                  {formatPerMtok(p.effective?.cache_write_1h_usd_per_mtok ?? null)}
                </td>
                <td className="num">{formatPerMtok(p.output_usd_per_mtok)}</td>
                <td>{p.source === 'custom' ? <Badge tone="accent">Custom</Badge> : <Badge>Catalog</Badge>}</td>
                <td className="cell-actions">
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => onEdit(p)}>
                    {p.source === 'custom' ? 'Edit' : 'Override'}
                  </button>
                  {p.source === 'custom' ? (
                    <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => onRemove(p)}>
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {loaded && prices.length === 0 ? <p className="muted card-pad">No prices match.</p> : null}
      <p className="muted small card-pad table-foot">
        Prices are in USD per million tokens (the same number as micro-USD per token).
      </p>
    </div>
  );
}
