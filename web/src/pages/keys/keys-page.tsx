/**
 * Keys: the account's Z-AI keys with spend against cap; search, filter, sort and page through
 * many; create, edit, revoke; each key links to its usage and to the Playground.
 */
import { useMemo, useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { PlusIcon } from '../../components/icons';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { SkeletonRows } from '../../components/skeleton';
import { api } from '../../lib/api';
import { pricer } from '../../lib/pricing';
import type { KeyRecord, ListOf, Model, NewKey, Price, ProviderRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { KeyFormDialog, type KeyFormContext } from './key-form-dialog';
import { PAGE_SIZE, viewKeys, type KeyFilter, type KeySort } from './key-list-view';
import { KeyRow } from './key-row';
import { KeysToolbar } from './keys-toolbar';
import { NewKeyDialog } from './new-key-dialog';
import { UseKeyCard } from './use-key-card';

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; key: KeyRecord }
  | { kind: 'created'; key: NewKey }
  | { kind: 'revoke'; key: KeyRecord }
  | null;

const COLUMNS = ['Name', 'Models', 'Spend', 'Last used', 'Created'];

export function KeysPage() {
  const keys = useAsync(() => api.get<ListOf<KeyRecord>>('/api/keys'), []);
  const account = useAsync(async () => {
    const [models, providers, prices] = await Promise.all([
      api.get<ListOf<Model>>('/api/models'),
      api.get<ListOf<ProviderRecord>>('/api/providers'),
      api.get<ListOf<Price>>('/api/prices'),
    ]);
    return { models: models.data.map((m) => m.id), providers: providers.data, prices: prices.data };
  }, []);
  const [modal, setModal] = useState<Modal>(null);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<KeyFilter>('all');
  const [sort, setSort] = useState<KeySort>('created');
  const [page, setPage] = useState(1);

  const all = useMemo(() => keys.data?.data ?? [], [keys.data]);
  const view = useMemo(() => viewKeys(all, { query, filter, sort, page }), [all, query, filter, sort, page]);
  const priceOf = useMemo(() => pricer(account.data?.prices ?? [], account.data?.providers ?? []), [account.data]);
  const context: KeyFormContext = {
    models: account.data?.models ?? [],
    providers: account.data?.providers ?? [],
    priceOf,
    reloadPrices: account.reload,
  };

  const createButton = (
    <button type="button" className="btn btn-primary" onClick={() => setModal({ kind: 'create' })}>
      <PlusIcon />
      Create key
    </button>
  );

  return (
    <>
      <PageHeader
        title="Keys"
        description="Z-AI keys for your code: each one can be limited to some models, capped in spend, and given fallbacks."
        actions={createButton}
      />
      <InlineError message={keys.error ?? account.error} />
      {keys.data && all.length === 0 ? (
        <EmptyState title="No keys yet" action={createButton}>
          Create a key, then point any OpenAI SDK at Z-AI with it.
        </EmptyState>
      ) : (
        <>
          <KeysToolbar
            query={query}
            onQuery={(q) => {
              setQuery(q);
              setPage(1);
            }}
            filter={filter}
            onFilter={(f) => {
              setFilter(f);
              setPage(1);
            }}
            sort={sort}
            onSort={setSort}
            counts={view.counts}
          />
          <section className="card table-card" aria-label="Keys">
            <div className="table-scroll">
              <table className="table table-cards">
                <thead>
                  <tr>
                    {COLUMNS.map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {!keys.data ? <SkeletonRows columns={COLUMNS.length + 1} label="keys" /> : null}
                  {view.shown.map((key) => (
                    <KeyRow
                      key={key.id}
                      record={key}
                      priceOf={priceOf}
                      onEdit={() => setModal({ kind: 'edit', key })}
                      onRevoke={() => setModal({ kind: 'revoke', key })}
                    />
                  ))}
                </tbody>
              </table>
            </div>
            {keys.data && view.matching === 0 ? <p className="muted card-pad">No keys match.</p> : null}
            {keys.data && view.matching > PAGE_SIZE ? (
              <Pager
                page={view.page}
                pages={view.pages}
                pageSize={PAGE_SIZE}
                total={view.matching}
                label="Keys"
                onPage={setPage}
              />
            ) : null}
          </section>
        </>
      )}
      <UseKeyCard />

      {modal?.kind === 'create' || modal?.kind === 'edit' ? (
        <KeyFormDialog
          existing={modal.kind === 'edit' ? modal.key : undefined}
          context={context}
          onClose={() => setModal(null)}
          onSaved={async (saved) => {
            setModal('key' in saved && typeof saved.key === 'string' ? { kind: 'created', key: saved as NewKey } : null);
            await keys.reload();
          }}
        />
      ) : null}
      {modal?.kind === 'created' ? <NewKeyDialog created={modal.key} onClose={() => setModal(null)} /> : null}
      {modal?.kind === 'revoke' ? (
        <ConfirmDialog
          title={`Revoke “${modal.key.name}”?`}
          description="Every request with this key is refused from now on. This cannot be undone; create a new key to replace it."
          confirmLabel="Revoke key"
          onConfirm={async () => {
            await api.delete(`/api/keys/${modal.key.id}`);
            await keys.reload();
          }}
          onClose={() => setModal(null)}
        />
      ) : null}
    </>
  );
}
