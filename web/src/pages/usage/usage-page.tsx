/** Usage: totals, charts over time, breakdowns by model and key, and the recent requests. */
import { lazy, Suspense, useMemo, useState } from 'react';
import { InlineError } from '../../components/inline-error';
import { RefreshIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { formatCount } from '../../lib/format';
import type { KeyRecord, ListOf } from '../../lib/types';
import { breakdown, bucketize, latencySummary, periodById, type PeriodId } from '../../lib/usage-stats';
import { useAsync } from '../../lib/use-async';
import { BreakdownTable } from './breakdown-table';
import { PeriodPicker } from './period-picker';
import { RequestsTable } from './requests-table';
import { StatCards } from './stat-cards';
import { CHART_ROW_LIMIT, loadUsageRows } from './usage-rows';

const UsageCharts = lazy(() => import('./usage-charts').then((m) => ({ default: m.UsageCharts })));

export function UsagePage() {
  const [periodId, setPeriodId] = useState<PeriodId>('24h');
  const [keyId, setKeyId] = useState('');
  const [tick, setTick] = useState(0);
  const period = periodById(periodId);
  const keys = useAsync(() => api.get<ListOf<KeyRecord>>('/api/keys'), []);
  const usage = useAsync(() => loadUsageRows(period, keyId), [period, keyId, tick]);

  const keyName = useMemo(() => {
    const names = new Map((keys.data?.data ?? []).map((k) => [k.id, k.name]));
    return (id: string) => names.get(id) ?? id;
  }, [keys.data]);

  const rows = useMemo(() => usage.data?.rows ?? [], [usage.data]);
  const buckets = useMemo(
    () => (usage.data ? bucketize(usage.data.rows, period, usage.data.loadedAt) : []),
    [usage.data, period],
  );
  const latency = useMemo(() => latencySummary(rows), [rows]);
  const byModel = useMemo(() => breakdown(rows, (r) => r.model_served ?? r.model_requested), [rows]);
  const byKey = useMemo(() => breakdown(rows, (r) => keyName(r.key_id)), [rows, keyName]);

  return (
    <>
      <PageHeader
        title="Usage"
        description="Every request through your keys: what it cost, how fast it was, and which model served it. Prompts and answers are never stored."
        actions={
          <button type="button" className="btn btn-secondary" onClick={() => setTick((t) => t + 1)} disabled={usage.loading}>
            <RefreshIcon />
            {usage.loading ? 'Refreshing…' : 'Refresh'}
          </button>
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
      </div>
      <InlineError message={usage.error} />
      <StatCards totals={usage.data?.totals} rows={rows} />
      {usage.data?.truncated ? (
        <p className="muted small">
          Charts and breakdowns show the latest {formatCount(CHART_ROW_LIMIT)} requests of this period; the totals above cover all
          of it.
        </p>
      ) : null}
      <Suspense fallback={<div className="chart-grid chart-placeholder" aria-busy="true" />}>
        <UsageCharts buckets={buckets} period={period} latency={latency} />
      </Suspense>
      <div className="breakdown-grid">
        <BreakdownTable title="By model" firstColumn="Model" rows={byModel} mono />
        <BreakdownTable title="By key" firstColumn="Key" rows={byKey} />
      </div>
      <RequestsTable key={`${periodId}:${keyId}:${tick}`} period={period} keyId={keyId} keyName={keyName} />
    </>
  );
}
