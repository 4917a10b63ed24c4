/** Prices: the shipped catalog and the account's own prices (which win). */
import { useMemo, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PlusIcon } from '../../components/icons';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import type { ListOf, Price } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { PriceFormDialog } from './price-form-dialog';
import { PricesTable } from './prices-table';

type Modal = { kind: 'add' } | { kind: 'edit'; price: Price } | { kind: 'remove'; price: Price } | null;
type Source = 'all' | 'custom' | 'catalog';

export function PricesPage() {
  const prices = useAsync(() => api.get<ListOf<Price>>('/api/prices'), []);
  const [query, setQuery] = useState('');
  const [source, setSource] = useState<Source>('all');
  const [modal, setModal] = useState<Modal>(null);

  const all = useMemo(() => prices.data?.data ?? [], [prices.data]);
  const customCount = all.filter((p) => p.source === 'custom').length;
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return all
      .filter((p) => (source === 'all' || p.source === source) && (!q || p.model.toLowerCase().includes(q)))
      .sort((a, b) => (a.source === b.source ? a.model.localeCompare(b.model) : a.source === 'custom' ? -1 : 1));
  }, [all, query, source]);

  return (
    <>
      <PageHeader
        title="Prices"
        description="USD per million tokens. Every request is priced from the tokens the provider reported; your own prices override the catalog."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setModal({ kind: 'add' })}>
            <PlusIcon />
            Add custom price
          </button>
        }
      />
      <div className="toolbar">
        <div className="toolbar-field grow">
          <label htmlFor="price-search" className="field-label">
            Search models
          </label>
          <input
            id="price-search"
            className="input"
            type="search"
            placeholder="gpt-4o, claude, llama…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
        <div className="toolbar-field">
          <span className="field-label" id="source-label">
            Source
          </span>
          <div className="segmented" role="group" aria-labelledby="source-label">
            {(['all', 'custom', 'catalog'] as const).map((s) => (
              <button
                key={s}
                type="button"
                className={s === source ? 'segment active' : 'segment'}
                aria-pressed={s === source}
                onClick={() => setSource(s)}
              >
                {s === 'all' ? `All (${all.length})` : s === 'custom' ? `Custom (${customCount})` : 'Catalog'}
              </button>
            ))}
          </div>
        </div>
      </div>
      <InlineError message={prices.error} />
      <PricesTable
        prices={shown}
        loaded={Boolean(prices.data)}
        onEdit={(price) => setModal({ kind: 'edit', price })}
        onRemove={(price) => setModal({ kind: 'remove', price })}
      />

      {modal?.kind === 'add' || modal?.kind === 'edit' ? (
        <PriceFormDialog
          existing={modal.kind === 'edit' ? modal.price : undefined}
          onClose={() => setModal(null)}
          onSaved={async () => {
            setModal(null);
            await prices.reload();
          }}
        />
      ) : null}
      {modal?.kind === 'remove' ? (
        <ConfirmDialog
          title="Remove this custom price?"
          description={
            <>
              <code>{modal.price.model}</code> goes back to its catalog price, if the catalog has one. A capped key cannot call an
              unpriced model.
            </>
          }
          confirmLabel="Remove price"
          onConfirm={async () => {
            await api.delete(`/api/prices?model=${encodeURIComponent(modal.price.model)}`);
            await prices.reload();
          }}
          onClose={() => setModal(null)}
        />
      ) : null}
    </>
  );
}
