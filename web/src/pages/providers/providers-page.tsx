/** "Z-AI → Providers": the eight providers, each with its connections and a way to add one. */
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { ShieldIcon } from '../../components/icons';
import { SkeletonCard } from '../../components/skeleton';
import { api } from '../../lib/api';
import type { ListOf, ProviderRecord, ProviderType } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { ProviderCard } from './provider-card';

export function ProvidersPage() {
  const types = useAsync(() => api.get<ListOf<ProviderType>>('/api/provider-types'), []);
  const providers = useAsync(() => api.get<ListOf<ProviderRecord>>('/api/providers'), []);
  const connected = providers.data?.data ?? [];
  const connectedTypes = new Set(connected.map((p) => p.provider)).size;

  return (
    <>
      <PageHeader
        title="Providers"
        description="Paste the API keys of the providers you already pay. Your code then reaches all of them through one Z-AI key."
        actions={
          providers.data ? (
            <span className="header-stat">
              <strong>{connectedTypes}</strong> of {types.data?.data.length ?? 8} connected
            </span>
          ) : null
        }
      />
      <div className="notice">
        <ShieldIcon />
        <span>
          Keys are encrypted at rest and never shown again after you save them, not even to admins. Z-AI adds no markup: you pay
          each provider directly.
        </span>
      </div>
      <InlineError message={types.error ?? providers.error} />
      <div className="provider-grid">
        {!types.data || !providers.data
          ? Array.from({ length: 8 }, (_, i) => <SkeletonCard key={i} lines={4} label={i === 0 ? 'providers' : undefined} />)
          : null}
        {(providers.data ? (types.data?.data ?? []) : []).map((type) => (
          <ProviderCard
            key={type.id}
            type={type}
            connections={connected.filter((p) => p.provider === type.id)}
            onChanged={providers.reload}
          />
        ))}
      </div>
    </>
  );
}
