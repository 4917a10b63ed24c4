/** The audit log of every account, newest first, a page at a time; filter by account. Never a secret. */
import { useState } from 'react';
import { InlineError } from '../../components/inline-error';
import { SkeletonRows } from '../../components/skeleton';
import { api, messageOf } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import type { AdminAccount, AuditEntry, AuditPage } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { actionText, detailsText } from './audit-text';

const PAGE = 25;

function auditPath(userId: string, cursor?: string): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (userId) q.set('user_id', userId);
  if (cursor) q.set('cursor', cursor);
  return `/api/admin/audit?${q.toString()}`;
}

/** Keyed by the parent on each change it makes to an account, so the change shows at the top at once. */
export function AuditLogCard({ accounts }: { accounts: AdminAccount[] }) {
  const [userId, setUserId] = useState('');
  const first = useAsync(() => api.get<AuditPage>(auditPath(userId)), [userId]);
  const [more, setMore] = useState<{ forUser: string; entries: AuditEntry[]; cursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const extra = more?.forUser === userId ? more : null;
  const entries = [...(first.data?.data ?? []), ...(extra?.entries ?? [])];
  const cursor = extra ? extra.cursor : (first.data?.next_cursor ?? null);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    setError(null);
    try {
      const page = await api.get<AuditPage>(auditPath(userId, cursor));
      setMore({ forUser: userId, entries: [...(extra?.entries ?? []), ...page.data], cursor: page.next_cursor });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <section className="card table-card" aria-labelledby="audit-title">
      <div className="card-pad table-head">
        <h2 id="audit-title" className="card-title">
          Audit log
        </h2>
        <div className="toolbar-field">
          <label htmlFor="audit-account" className="sr-only">
            Account
          </label>
          <select id="audit-account" className="input select" value={userId} onChange={(e) => setUserId(e.target.value)}>
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.email}
              </option>
            ))}
          </select>
        </div>
      </div>
      <InlineError message={first.error ?? error} />
      <div className="table-scroll">
        <table className="table table-compact table-cards">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Account</th>
              <th scope="col">Action</th>
              <th scope="col">Details</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {!first.data ? <SkeletonRows columns={5} rows={4} label="the audit log" /> : null}
            {entries.map((e) => (
              <tr key={e.id}>
                <td className="nowrap" data-label="Time">
                  <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
                </td>
                <td data-label="Account">{e.user_email ?? e.user_id}</td>
                <td data-label="Action">{actionText(e.action)}</td>
                <td className="small" data-label="Details">
                  {detailsText(e)}
                </td>
                <td className="mono small" data-label="From">
                  {e.client_address ?? '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {first.data && entries.length === 0 ? <p className="muted card-pad">Nothing recorded yet.</p> : null}
      {cursor ? (
        <div className="pager">
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load older entries'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
