/**
 * The period's requests, newest first, paginated with the API's next_cursor. A row opens the
 * request's details (its first cell is the button that does, for keyboards and screen readers).
 * A narrow card (a phone, a small window) shows each request as a small card.
 */
import { useState } from 'react';
import { Badge, StatusBadge } from '../../components/badge';
import { InlineError } from '../../components/inline-error';
import { SkeletonRows } from '../../components/skeleton';
import { api } from '../../lib/api';
import { dateTimeParts, formatCount, formatDateTime, formatMs, formatUsd } from '../../lib/format';
import type { UsagePage, UsageRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { RequestDrawer, type PoolKeyName } from './request-drawer';

const PAGE_SIZE = 25;
const COLUMNS = 7;

interface RequestsTableProps {
  /** The summary's period and filters (the same query string), so the table and the charts agree; undefined while it loads. */
  query: string | undefined;
  /** Requests in the period, from the summary. */
  total: number | undefined;
  keyName: (id: string) => string;
  poolKeyName: PoolKeyName;
}

export function RequestsTable({ query, total, keyName, poolKeyName }: RequestsTableProps) {
  return (
    <section className="card table-card stack-host" aria-labelledby="recent-title">
      <div className="card-pad table-head">
        <h2 id="recent-title" className="card-title">
          Recent requests
        </h2>
        <span className="muted small">{total === undefined ? '' : `${formatCount(total)} in this period`}</span>
      </div>
      {query === undefined ? (
        <RequestRows rows={undefined} keyName={keyName} onOpen={() => undefined} />
      ) : (
        // A new period or filter starts again at page 1.
        <Pages key={query} query={query} keyName={keyName} poolKeyName={poolKeyName} />
      )}
    </section>
  );
}

function Pages({ query, keyName, poolKeyName }: { query: string; keyName: (id: string) => string; poolKeyName: PoolKeyName }) {
  // cursors[i] is the cursor that loads page i (page 0 has none).
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [open, setOpen] = useState<UsageRecord | null>(null);
  const pageIndex = cursors.length - 1;
  const cursor = cursors[pageIndex];
  const page = useAsync(
    () => api.get<UsagePage>(`/api/usage?${query}&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    [query, cursor],
  );
  const rows = page.data?.data;
  return (
    <>
      <InlineError message={page.error} />
      <RequestRows rows={page.error ? [] : rows} keyName={keyName} onOpen={setOpen} />
      {rows && rows.length === 0 ? (
        <p className="muted card-pad">
          No requests in this period yet. Call the gateway with one of your keys and they appear here within a second.
        </p>
      ) : null}
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
      {open ? <RequestDrawer record={open} keyName={keyName} poolKeyName={poolKeyName} onClose={() => setOpen(null)} /> : null}
    </>
  );
}

interface RequestRowsProps {
  /** Undefined while loading: placeholder rows. */
  rows: UsageRecord[] | undefined;
  keyName: (id: string) => string;
  onOpen: (row: UsageRecord) => void;
}

function RequestRows({ rows, keyName, onOpen }: RequestRowsProps) {
  return (
    <div className="table-scroll">
      <table className="table table-compact table-stack table-requests">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Key</th>
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
          </tr>
        </thead>
        <tbody>
          {rows === undefined ? <SkeletonRows columns={COLUMNS} rows={5} label="requests" /> : null}
          {(rows ?? []).map((r) => (
            <RequestRow key={r.id} row={r} keyName={keyName} onOpen={onOpen} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RequestRow({
  row: r,
  keyName,
  onOpen,
}: {
  row: UsageRecord;
  keyName: (id: string) => string;
  onOpen: (row: UsageRecord) => void;
}) {
  const [date, time] = dateTimeParts(r.created_at);
  const classes = tokenClasses(r);
  return (
    // The row is clickable for a mouse; the first cell's button is the keyboard's way in.
    <tr
      className="row-link"
      onClick={(event) => {
        // Focus goes back to the row's button when the details close.
        event.currentTarget.querySelector('button')?.focus();
        onOpen(r);
      }}
    >
      <td className="cell-time">
        <button
          type="button"
          className="link-button time-button"
          aria-label={`Details of request at ${formatDateTime(r.created_at)}`}
          aria-haspopup="dialog"
          onClick={(event) => {
            event.stopPropagation();
            onOpen(r);
          }}
        >
          <span className="nowrap">{time}</span> <span className="muted small nowrap">{date}</span>
        </button>
      </td>
      <td className="cell-key" data-label="Key">
        {keyName(r.key_id)}
      </td>
      <td className="cell-model" data-label="Model">
        <span className="mono small">
          {r.model_requested}
          {r.model_served && r.model_served !== r.model_requested ? <span className="served"> → {r.model_served}</span> : null}
        </span>
        {r.stream ? <span className="pill">stream</span> : null}
        <div className="muted small mono">{r.endpoint}</div>
      </td>
      <td className="cell-status" data-label="Status">
        <StatusBadge status={r.status} />
        {r.error_code ? <div className="muted small mono">{r.error_code}</div> : null}
      </td>
      <td className="num cell-tokens" data-label="Tokens in / out">
        {formatCount(r.prompt_tokens)} / {formatCount(r.completion_tokens)}
        {classes ? <div className="muted small">{classes}</div> : null}
      </td>
      <td className="num" data-label="Cost">
        <RequestCost row={r} />
      </td>
      <td className="num" data-label="Latency">
        {formatMs(r.latency_ms)}
        {r.ttft_ms === null ? null : <div className="muted small">TTFT {formatMs(r.ttft_ms)}</div>}
      </td>
    </tr>
  );
}

/** A request's cost; an unpriced one has none to show ("—", never $0.00). */
export function RequestCost({ row }: { row: UsageRecord }) {
  if (row.unpriced)
    return (
      <>
        — <Badge tone="warn">Unpriced</Badge>
      </>
    );
  return <>{formatUsd(row.cost_micro_usd)}</>;
}

/** The token classes inside the counts (cache reads and writes in the input, reasoning in the output), when any. */
function tokenClasses(r: UsageRecord): string {
  const parts: string[] = [];
  if (r.cached_tokens > 0) parts.push(`${formatCount(r.cached_tokens)} cache read`);
  if ((r.cache_write_tokens ?? 0) > 0) parts.push(`${formatCount(r.cache_write_tokens ?? 0)} cache write`);
  if ((r.reasoning_tokens ?? 0) > 0) parts.push(`${formatCount(r.reasoning_tokens ?? 0)} reasoning`);
  return parts.join(' · ');
}
