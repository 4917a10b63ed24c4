/**
 * Prices: the shipped catalog, the account's own prices (which win) and the models its providers
 * serve that have no price at all. `/prices?model=…` opens the form for that model;
 * `/prices?source=unpriced` (or custom, catalog) opens on those rows only, and each `used=<model>`
 * (the Usage page's models that served requests without a price) is listed as unpriced too while
 * it has no price.
 */
import { useMemo, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { PlusIcon } from '../../components/icons';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { Segmented } from '../../components/segmented';
import { api } from '../../lib/api';
import { pricer } from '../../lib/pricing';
import type { ListOf, Model, Price, ProviderRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { PriceFormDialog } from './price-form-dialog';
import { PricesTable, rowModel, type PriceRow } from './prices-table';

type Modal = { kind: 'add'; model?: string } | { kind: 'edit'; price: Price } | { kind: 'remove'; price: Price } | null;
type Source = 'all' | 'unpriced' | 'custom' | 'catalog';

const ORDER: Record<string, number> = { unpriced: 0, custom: 1, catalog: 2 };

const SOURCES: readonly Source[] = ['all', 'unpriced', 'custom', 'catalog'];

function initialSource(): Source {
  const asked = new URLSearchParams(window.location.search).get('source');
  return SOURCES.find((s) => s === asked) ?? 'all';
}

/** Models named by the link that opened the page, which requests used without a price. */
function usedModels(): string[] {
  return new URLSearchParams(window.location.search).getAll('used');
}

function initialModal(): Modal {
  const model = new URLSearchParams(window.location.search).get('model');
  return model ? { kind: 'add', model } : null;
}

export function PricesPage() {
  const data = useAsync(async () => {
    const [prices, models, providers] = await Promise.all([
      api.get<ListOf<Price>>('/api/prices'),
      api.get<ListOf<Model>>('/api/models'),
      api.get<ListOf<ProviderRecord>>('/api/providers'),
    ]);
    return { prices: prices.data, models: models.data, providers: providers.data };
  }, []);
  const [query, setQuery] = useState('');
  const [source, setSource] = useState<Source>(initialSource);
  const [modal, setModal] = useState<Modal>(initialModal);
  const [used] = useState(usedModels);

  const all = useMemo<PriceRow[]>(() => {
    if (!data.data) return [];
    const priceOf = pricer(data.data.prices, data.data.providers);
    const served = new Set([...data.data.models.map((m) => m.id), ...used]);
    const unpriced = [...served].filter((model) => priceOf(model) === undefined);
    return [
      ...unpriced.map((model): PriceRow => ({ kind: 'unpriced', model })),
      ...data.data.prices.map((price): PriceRow => ({ kind: 'price', price })),
    ];
  }, [data.data, used]);
  const sourceOf = (row: PriceRow): Exclude<Source, 'all'> => (row.kind === 'unpriced' ? 'unpriced' : row.price.source);
  const count = (s: Source) => all.filter((r) => s === 'all' || sourceOf(r) === s).length;
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return all
      .filter((r) => (source === 'all' || sourceOf(r) === source) && (!q || rowModel(r).toLowerCase().includes(q)))
      .sort((a, b) => (ORDER[sourceOf(a)] ?? 0) - (ORDER[sourceOf(b)] ?? 0) || rowModel(a).localeCompare(rowModel(b)));
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
        <Segmented
          label="Source"
          value={source}
          onChange={setSource}
          options={[
            { id: 'all', label: `All (${count('all')})` },
            { id: 'unpriced', label: `Unpriced (${count('unpriced')})` },
            { id: 'custom', label: `Custom (${count('custom')})` },
            { id: 'catalog', label: 'Catalog' },
          ]}
        />
      </div>
      <InlineError message={data.error} />
      <PricesTable
        rows={shown}
        loaded={Boolean(data.data)}
        onEdit={(price) => setModal({ kind: 'edit', price })}
        onRemove={(price) => setModal({ kind: 'remove', price })}
        onSetPrice={(model) => setModal({ kind: 'add', model })}
      />

      {modal?.kind === 'add' || modal?.kind === 'edit' ? (
        <PriceFormDialog
          existing={modal.kind === 'edit' ? modal.price : undefined}
          initialModel={modal.kind === 'add' ? modal.model : undefined}
          onClose={() => setModal(null)}
          onSaved={async () => {
            setModal(null);
            await data.reload();
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
            await data.reload();
          }}
          onClose={() => setModal(null)}
        />
      ) : null}
    </>
  );
}
