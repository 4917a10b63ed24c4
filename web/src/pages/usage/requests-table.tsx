/** The period's requests, newest first, paginated with the API's next_cursor. */
import { useState } from 'react';
import { StatusBadge } from '../../components/badge';
import { InlineError } from '../../components/inline-error';
import { api } from '../../lib/api';
import { formatCount, formatDateTime, formatMs, formatUsd } from '../../lib/format';
import type { UsagePage, UsageRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';

const PAGE_SIZE = 25;

interface RequestsTableProps {
  /** The summary's period and filters (the same query string), so the table and the charts agree. */
  query: string;
  /** Requests in the period, from the summary. */
  total: number | undefined;
  keyName: (id: string) => string;
}

/** Keyed by the parent on its query: a new period or filter starts again at page 1. */
export function RequestsTable({ query, total, keyName }: RequestsTableProps) {
  // cursors[i] is the cursor that loads page i (page 0 has none).
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];
  const page = useAsync(
    () => api.get<UsagePage>(`/api/usage?${query}&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    [query, cursor],
  );
  const rows = page.data?.data ?? [];

  return (
    <section className="card table-card" aria-labelledby="recent-title">
      <div className="card-pad table-head">
        <h2 id="recent-title" className="card-title">
          Recent requests
        </h2>
        <span className="muted small">{total === undefined ? '' : `${formatCount(total)} in this period`}</span>
      </div>
      <InlineError message={page.error} />
      <div className="table-scroll">
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Key</th>
              <th scope="col">Endpoint</th>
              <th scope="col">Model requested → served</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Tokens in / out
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col" className="num">
                Latency
              </th>
              <th scope="col" className="num">
                TTFT
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td className="nowrap">{formatDateTime(r.created_at)}</td>
                <td>{keyName(r.key_id)}</td>
                <td className="mono small nowrap">{r.endpoint}</td>
                <td className="mono small">
                  {r.model_requested}
                  {r.model_served && r.model_served !== r.model_requested ? (
                    <span className="served"> → {r.model_served}</span>
                  ) : null}
                  {r.stream ? <span className="pill">stream</span> : null}
                </td>
                <td>
                  <StatusBadge status={r.status} />
                  {r.error_code ? <span className="muted small"> {r.error_code}</span> : null}
                </td>
                <td className="num">
                  {formatCount(r.prompt_tokens)} / {formatCount(r.completion_tokens)}
                  {tokenClasses(r) ? <div className="muted small">{tokenClasses(r)}</div> : null}
                </td>
                <td className="num">{formatUsd(r.cost_micro_usd)}</td>
                <td className="num">{formatMs(r.latency_ms)}</td>
                <td className="num">{formatMs(r.ttft_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {page.data && rows.length === 0 ? (
          <p className="muted card-pad">
            No requests in this period yet. Call the gateway with one of your keys and they appear here within a second.
          </p>
        ) : null}
      </div>
      <div className="pager">
        <span className="muted small">Page {pageIndex + 1}</span>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={pageIndex === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </button>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={!page.data?.next_cursor}
          onClick={() => {
            const next = page.data?.next_cursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          Older
        </button>
      </div>
    </section>
  );
}

/** The token classes inside the counts (cache reads and writes in the input, reasoning in the output), when any. */
function tokenClasses(r: UsageRecord): string {
  const parts: string[] = [];
  if (r.cached_tokens > 0) parts.push(`${formatCount(r.cached_tokens)} cache read`);
  if ((r.cache_write_tokens ?? 0) > 0) parts.push(`${formatCount(r.cache_write_tokens ?? 0)} cache write`);
  if ((r.reasoning_tokens ?? 0) > 0) parts.push(`${formatCount(r.reasoning_tokens ?? 0)} reasoning`);
  return parts.join(' · ');
}
