/** Admin: every account on this server and its total usage. Never a key. */
import { Badge } from '../../components/badge';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { formatCount, formatDate, formatUsd } from '../../lib/format';
import type { AdminAccount, ListOf } from '../../lib/types';
import { useAsync } from '../../lib/use-async';

export function AdminPage() {
  const accounts = useAsync(() => api.get<ListOf<AdminAccount>>('/api/admin/accounts'), []);
  const rows = accounts.data?.data ?? [];
  const totalCost = rows.reduce((s, a) => s + a.cost_micro_usd, 0);
  const totalRequests = rows.reduce((s, a) => s + a.requests, 0);
  return (
    <>
      <PageHeader
        title="Admin"
        description="Accounts on this server and their usage. Admins never see provider keys or Z-AI keys."
      />
      <InlineError message={accounts.error} />
      <section className="stat-grid stat-grid-3" aria-label="Server totals">
        <div className="card stat">
          <div className="stat-label">Accounts</div>
          <div className="stat-value">{formatCount(rows.length)}</div>
        </div>
        <div className="card stat">
          <div className="stat-label">Requests</div>
          <div className="stat-value">{formatCount(totalRequests)}</div>
        </div>
        <div className="card stat">
          <div className="stat-label">Cost</div>
          <div className="stat-value">{formatUsd(totalCost)}</div>
        </div>
      </section>
      <div className="card table-card">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id}>
                <td>{a.email}</td>
                <td>{a.role === 'admin' ? <Badge tone="accent">Admin</Badge> : <Badge>Member</Badge>}</td>
                <td>{a.created_at ? formatDate(a.created_at) : '—'}</td>
                <td className="num">{formatCount(a.requests)}</td>
                <td className="num">{formatUsd(a.cost_micro_usd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
