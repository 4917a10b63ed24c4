/** Keys: the account's Z-AI keys with spend against cap; create, edit, revoke. */
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { EmptyState } from '../../components/empty-state';
import { PlusIcon } from '../../components/icons';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { modelSuggestions } from '../../lib/models';
import type { KeyRecord, ListOf, Model, NewKey, ProviderRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { KeyFormDialog } from './key-form-dialog';
import { KeyRow } from './key-row';
import { NewKeyDialog } from './new-key-dialog';
import { UseKeyCard } from './use-key-card';

type Modal =
  | { kind: 'create' }
  | { kind: 'edit'; key: KeyRecord }
  | { kind: 'created'; key: NewKey }
  | { kind: 'revoke'; key: KeyRecord }
  | null;

export function KeysPage() {
  const keys = useAsync(() => api.get<ListOf<KeyRecord>>('/api/keys'), []);
  const pickers = useAsync(async () => {
    const [models, providers] = await Promise.all([
      api.get<ListOf<Model>>('/api/models'),
      api.get<ListOf<ProviderRecord>>('/api/providers'),
    ]);
    return { models: models.data, providers: providers.data };
  }, []);
  const [modal, setModal] = useState<Modal>(null);

  const all = keys.data?.data ?? [];
  const sorted = [...all.filter((k) => !k.revoked_at), ...all.filter((k) => k.revoked_at)];
  const allowSuggestions = modelSuggestions(pickers.data?.models ?? [], pickers.data?.providers ?? [], true);
  const fallbackSuggestions = modelSuggestions(pickers.data?.models ?? [], [], false);

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
      <InlineError message={keys.error} />
      {keys.data && all.length === 0 ? (
        <EmptyState title="No keys yet" action={createButton}>
          Create a key, then point any OpenAI SDK at Z-AI with it.
        </EmptyState>
      ) : null}
      {sorted.length > 0 ? (
        <div className="card table-card">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Models</th>
                <th scope="col">Spend</th>
                <th scope="col">Last used</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((key) => (
                <KeyRow
                  key={key.id}
                  record={key}
                  onEdit={() => setModal({ kind: 'edit', key })}
                  onRevoke={() => setModal({ kind: 'revoke', key })}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <UseKeyCard />

      {modal?.kind === 'create' || modal?.kind === 'edit' ? (
        <KeyFormDialog
          existing={modal.kind === 'edit' ? modal.key : undefined}
          allowSuggestions={allowSuggestions}
          fallbackSuggestions={fallbackSuggestions}
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
