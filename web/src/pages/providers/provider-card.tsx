/** One provider: what its keys look like, where to get one, its connections, and "Connect". */
import { useId, useState } from 'react';
import { Badge } from '../../components/badge';
import { ExternalIcon, PlusIcon } from '../../components/icons';
import type { ProviderRecord, ProviderType } from '../../lib/types';
import { cardStatus } from './provider-check';
import { ProviderConnection } from './provider-connection';
import { ProviderForm } from './provider-form';

interface ProviderCardProps {
  type: ProviderType;
  connections: ProviderRecord[];
  onChanged: () => Promise<void>;
}

export function ProviderCard({ type, connections, onChanged }: ProviderCardProps) {
  const titleId = useId();
  const [adding, setAdding] = useState(false);
  const connected = connections.length > 0;
  const status = cardStatus(connections);
  const state = status?.tone === 'danger' ? 'failing' : status?.tone === 'ok' ? 'connected' : '';

  return (
    <section className={`card provider-card ${state}`} aria-labelledby={titleId}>
      <div className="provider-head">
        <span className={`pmark pmark-${type.id}`} aria-hidden="true">
          {type.label.slice(0, 1)}
        </span>
        <div className="provider-title">
          <h2 id={titleId}>{type.label}</h2>
          <span className="provider-meta">
            Key format <code>{type.key_format}</code>
          </span>
        </div>
        {status ? <Badge tone={status.tone}>{status.label}</Badge> : null}
      </div>

      {connections.map((c) => (
        <ProviderConnection key={c.id} type={type} record={c} onChanged={onChanged} />
      ))}

      {adding ? (
        <ProviderForm
          type={type}
          needsName={type.id === 'custom' || connected}
          onCancel={() => setAdding(false)}
          onSaved={async () => {
            setAdding(false);
            await onChanged();
          }}
        />
      ) : (
        <div className="provider-foot">
          {type.key_url ? (
            <a className="link-external" href={type.key_url} target="_blank" rel="noopener noreferrer">
              Get a key
              <ExternalIcon />
              <span className="sr-only"> for {type.label} (opens a new tab)</span>
            </a>
          ) : (
            <span className="muted small">Self-hosted: vLLM, Ollama, LM Studio…</span>
          )}
          <button
            type="button"
            className={connected ? 'btn btn-ghost btn-sm' : 'btn btn-primary btn-sm'}
            onClick={() => setAdding(true)}
            aria-label={`${connected ? 'Add another' : 'Connect'} ${type.label}`}
          >
            <PlusIcon />
            {connected ? 'Add another' : 'Connect'}
          </button>
        </div>
      )}
    </section>
  );
}
