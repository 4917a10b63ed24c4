/** Prices and the account's unpriced models (badge and "—", never $0.00), each with its action named with its model. */
import { Badge } from '../../components/badge';
import { SkeletonRows } from '../../components/skeleton';
import { formatPerMtok } from '../../lib/format';
import type { Price } from '../../lib/types';

export type PriceRow = { kind: 'price'; price: Price } | { kind: 'unpriced'; model: string };

export const rowModel = (row: PriceRow): string => (row.kind === 'price' ? row.price.model : row.model);

interface PricesTableProps {
  rows: PriceRow[];
  loaded: boolean;
  onEdit: (price: Price) => void;
  onRemove: (price: Price) => void;
  onSetPrice: (model: string) => void;
}

export function PricesTable({ rows, loaded, onEdit, onRemove, onSetPrice }: PricesTableProps) {
  return (
    <section className="card table-card" aria-label="Prices">
      <div className="table-scroll">
        <table className="table table-compact table-cards">
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
            {!loaded ? <SkeletonRows columns={7} rows={6} label="prices" /> : null}
            {rows.map((row) =>
              row.kind === 'price' ? priceRow(row.price, onEdit, onRemove) : unpricedRow(row.model, onSetPrice),
            )}
          </tbody>
        </table>
      </div>
      {loaded && rows.length === 0 ? <p className="muted card-pad">No prices match.</p> : null}
      <p className="muted small card-pad table-foot">
        Prices are in USD per million tokens (the same number as micro-USD per token). An unpriced model is not free: its requests
        are recorded without a cost, and a capped key refuses it.
      </p>
    </section>
  );
}

function priceRow(p: Price, onEdit: (price: Price) => void, onRemove: (price: Price) => void) {
  return (
    <tr key={p.model}>
      <td className="mono small cell-model" data-label="Model">
        {p.model}
      </td>
      <td className="num" data-label="Input">
        {formatPerMtok(p.input_usd_per_mtok)}
      </td>
      <td className="num" data-label="Cached input">
        {formatPerMtok(p.effective?.cached_input_usd_per_mtok ?? p.cached_input_usd_per_mtok)}
      </td>
      <td className="num" data-label="Cache write 5 min / 1 h">
        {formatPerMtok(p.effective?.cache_write_5m_usd_per_mtok ?? null)} /{' '}
        {formatPerMtok(p.effective?.cache_write_1h_usd_per_mtok ?? null)}
      </td>
      <td className="num" data-label="Output">
        {formatPerMtok(p.output_usd_per_mtok)}
      </td>
      <td data-label="Source">{p.source === 'custom' ? <Badge tone="accent">Custom</Badge> : <Badge>Catalog</Badge>}</td>
      <td className="cell-actions" data-label="Actions">
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => onEdit(p)}
            aria-label={`${p.source === 'custom' ? 'Edit' : 'Override'} price of ${p.model}`}
          >
            {p.source === 'custom' ? 'Edit' : 'Override'}
          </button>
          {p.source === 'custom' ? (
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-danger-text"
              onClick={() => onRemove(p)}
              aria-label={`Remove price of ${p.model}`}
            >
              Remove
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function unpricedRow(model: string, onSetPrice: (model: string) => void) {
  return (
    <tr key={model} className="row-unpriced">
      <td className="mono small cell-model" data-label="Model">
        {model}
      </td>
      <td className="num" data-label="Input">
        —
      </td>
      <td className="num" data-label="Cached input">
        —
      </td>
      <td className="num" data-label="Cache write 5 min / 1 h">
        —
      </td>
      <td className="num" data-label="Output">
        —
      </td>
      <td data-label="Source">
        <Badge tone="warn">Unpriced</Badge>
      </td>
      <td className="cell-actions" data-label="Actions">
        <div className="row-actions">
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            onClick={() => onSetPrice(model)}
            aria-label={`Set price for ${model}`}
          >
            Set price
          </button>
        </div>
      </td>
    </tr>
  );
}
