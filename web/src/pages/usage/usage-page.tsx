/**
 * Usage: totals, charts over time, percentiles and breakdowns by model, key, provider and
 * endpoint — all from the server's summary of the whole period — the period's requests, and a CSV
 * export of them.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import { InlineError } from '../../components/inline-error';
import { RefreshIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import type { KeyRecord, ListOf } from '../../lib/types';
import { breakdownRows, chartPoints, periodById, usageParams, type PeriodId, type UsageSummary } from '../../lib/usage-stats';
import { useAsync } from '../../lib/use-async';
import { BreakdownTable } from './breakdown-table';
import { PeriodPicker } from './period-picker';
import { RequestsTable } from './requests-table';
import { StatCards } from './stat-cards';

const UsageCharts = lazy(() => import('./usage-charts').then((m) => ({ default: m.UsageCharts })));

const ENDPOINTS = ['chat.completions', 'embeddings', 'messages', 'responses'];

export function UsagePage() {
  const [periodId, setPeriodId] = useState<PeriodId>('24h');
  const [keyId, setKeyId] = useState('');
  const [endpoint, setEndpoint] = useState('');
  const [tick, setTick] = useState(0);
  const period = periodById(periodId);
  const keys = useAsync(() => api.get<ListOf<KeyRecord>>('/api/keys'), []);
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
      <StatCards totals={data?.totals} />
      <Suspense fallback={<div className="chart-grid chart-placeholder" aria-busy="true" />}>
        <UsageCharts
          points={points}
          latency={data?.totals.latency_ms ?? { count: 0, mean: null, p50: null, p95: null, p99: null }}
        />
      </Suspense>
      {period.bucketMs >= 86_400_000 ? <p className="muted small">Days are UTC days.</p> : null}
      <div className="breakdown-grid">
        <BreakdownTable title="By model" firstColumn="Model" rows={breakdownRows(data?.by_model ?? [], (r) => r.model)} mono />
        <BreakdownTable title="By key" firstColumn="Key" rows={breakdownRows(data?.by_key ?? [], (r) => keyName(r.key_id))} />
        <BreakdownTable
          title="By provider"
          firstColumn="Provider"
          rows={breakdownRows(data?.by_provider ?? [], (r) => r.provider ?? '(none)')}
        />
        <BreakdownTable
          title="By endpoint"
          firstColumn="Endpoint"
          rows={breakdownRows(data?.by_endpoint ?? [], (r) => r.endpoint)}
          mono
        />
      </div>
      {rowsQuery === undefined ? null : (
        <RequestsTable key={rowsQuery} query={rowsQuery} total={data?.totals.requests} keyName={keyName} />
      )}
    </>
  );
}
