/**
 * Usage: totals, charts over time, percentiles and breakdowns by model, key, provider, pool key
 * and endpoint — all from the server's summary of the whole period — the period's requests (each
 * opening its details), and a CSV export of them. `/usage?key=<id>` opens it on one key.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import { InlineError } from '../../components/inline-error';
import { RefreshIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { timeZoneName } from '../../lib/format';
import type { KeyRecord, ListOf, ProviderRecord } from '../../lib/types';
import {
  breakdownRows,
  chartPoints,
  headlines,
  periodById,
  usageParams,
  type PeriodId,
  type UsageSummary,
} from '../../lib/usage-stats';
import { useAsync } from '../../lib/use-async';
import { BreakdownTable } from './breakdown-table';
import { ChartSkeletons } from './chart-card';
import { PeriodPicker } from './period-picker';
import type { PoolKeyName } from './request-drawer';
import { RequestsTable } from './requests-table';
import { StatCards } from './stat-cards';

const UsageCharts = lazy(() => import('./usage-charts').then((m) => ({ default: m.UsageCharts })));

const ENDPOINTS = ['chat.completions', 'embeddings', 'messages', 'responses'];

export function UsagePage() {
  const [periodId, setPeriodId] = useState<PeriodId>('24h');
  const [keyId, setKeyId] = useState(() => new URLSearchParams(window.location.search).get('key') ?? '');
  const [endpoint, setEndpoint] = useState('');
  const [tick, setTick] = useState(0);
  const period = periodById(periodId);
  const keys = useAsync(() => api.get<ListOf<KeyRecord>>('/api/keys'), []);
  const providers = useAsync(() => api.get<ListOf<ProviderRecord>>('/api/providers'), []);
  const summary = useAsync(
    () =>
      api.get<UsageSummary>(
        `/api/usage/summary?${usageParams(period, { keyId, endpoint }, Date.now(), { bucket: period.bucket })}`,
      ),
    [period, keyId, endpoint, tick],
  );

  const keyName = useMemo(() => {
    const names = new Map((keys.data?.data ?? []).map((k) => [k.id, k.name]));
    return (id: string) => names.get(id) ?? id;
  }, [keys.data]);
  const poolKeyName = useMemo<PoolKeyName>(() => {
    const named = new Map(
      (providers.data?.data ?? []).flatMap((p) =>
        p.keys.map((k) => [k.id, { label: k.label || k.hint, detail: `${p.name} · ${k.hint}` }] as const),
      ),
    );
    return (id: string) => named.get(id);
  }, [providers.data]);

  const data = summary.data;
  // The list and the export cover exactly the summary's period (its `until` is the server's now).
  const rowsQuery = useMemo(() => {
    if (data === undefined) return undefined;
    const q = new URLSearchParams({ since: data.since, until: data.until });
    if (keyId) q.set('key_id', keyId);
    if (endpoint) q.set('endpoint', endpoint);
    return q.toString();
  }, [data, keyId, endpoint]);
  const points = useMemo(() => (data ? chartPoints(data, period) : []), [data, period]);
  const figures = useMemo(() => (data ? headlines(data.totals) : undefined), [data]);
  // Shown only when some request was served through a key of a provider's pool.
  const byPoolKey = data?.by_pool_key.some((r) => r.pool_key_id !== null) ? data.by_pool_key : undefined;

  return (
    <>
      <PageHeader
        title="Usage"
        description="Every request through your keys: what it cost, how fast it was, and which model served it. Prompts and answers are never stored."
        actions={
          <>
            <a
              className="btn btn-secondary"
              href={rowsQuery === undefined ? undefined : `/api/usage/export?${rowsQuery}`}
              download
              aria-disabled={rowsQuery === undefined}
            >
              Export CSV
            </a>
            <button type="button" className="btn btn-secondary" onClick={() => setTick((t) => t + 1)} disabled={summary.loading}>
              <RefreshIcon />
              {summary.loading ? 'Refreshing…' : 'Refresh'}
            </button>
          </>
        }
      />
      <div className="toolbar">
        <PeriodPicker value={periodId} onChange={setPeriodId} />
        <div className="toolbar-field">
          <label htmlFor="usage-key" className="field-label">
            Key
          </label>
          <select id="usage-key" className="input select" value={keyId} onChange={(e) => setKeyId(e.target.value)}>
            <option value="">All keys</option>
            {(keys.data?.data ?? []).map((k) => (
              <option key={k.id} value={k.id}>
                {k.name}
                {k.revoked_at ? ' (revoked)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field">
          <label htmlFor="usage-endpoint" className="field-label">
            Endpoint
          </label>
          <select id="usage-endpoint" className="input select" value={endpoint} onChange={(e) => setEndpoint(e.target.value)}>
            <option value="">All endpoints</option>
            {ENDPOINTS.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </div>
      </div>
      <InlineError message={summary.error} />
      <StatCards
        totals={data?.totals}
        figures={figures}
        unpricedModels={(data?.by_model ?? []).filter((r) => r.unpriced_requests > 0).map((r) => r.model)}
      />
      {data === undefined || figures === undefined ? (
        <ChartSkeletons />
      ) : (
        <Suspense fallback={<ChartSkeletons />}>
          <UsageCharts points={points} figures={figures} />
        </Suspense>
      )}
      <p className="muted small">
        {period.bucketMs >= 86_400_000 ? 'Days are UTC days.' : `Times are ${timeZoneName()} (your browser's time zone).`}
      </p>
      <div className="breakdown-grid">
        <BreakdownTable
          title="By model"
          firstColumn="Model"
          rows={data && breakdownRows(data.by_model, (r) => ({ key: r.model, label: r.model }))}
          mono
        />
        <BreakdownTable
          title="By key"
          firstColumn="Key"
          rows={data && breakdownRows(data.by_key, (r) => ({ key: r.key_id, label: keyName(r.key_id) }))}
        />
        <BreakdownTable
          title="By provider"
          firstColumn="Provider"
          rows={data && breakdownRows(data.by_provider, (r) => ({ key: r.provider ?? '', label: r.provider ?? '(none)' }))}
        />
        {byPoolKey ? (
          <BreakdownTable
            title="By pool key"
            firstColumn="Pool key"
            rows={breakdownRows(byPoolKey, (r) => {
              const named = r.pool_key_id === null ? undefined : poolKeyName(r.pool_key_id);
              return {
                key: `${r.provider ?? ''} ${r.pool_key_id ?? ''}`,
                label: r.pool_key_id === null ? '(none)' : (named?.label ?? r.pool_key_id),
                detail: named?.detail ?? r.provider ?? undefined,
              };
            })}
          />
        ) : null}
        <BreakdownTable
          title="By endpoint"
          firstColumn="Endpoint"
          rows={data && breakdownRows(data.by_endpoint, (r) => ({ key: r.endpoint, label: r.endpoint }))}
          mono
        />
      </div>
      <RequestsTable query={rowsQuery} total={data?.totals.requests} keyName={keyName} poolKeyName={poolKeyName} />
    </>
  );
}
