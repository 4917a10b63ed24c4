/** Every account: role, status, usage, and the admin's actions on it, each named with its account. */
import { Badge } from '../../components/badge';
import { SkeletonRows } from '../../components/skeleton';
import { formatCount, formatDate, formatFullDateTime, formatUsd } from '../../lib/format';
import type { AdminAccount } from '../../lib/types';

export type AccountAction = { kind: 'role'; role: 'admin' | 'member' } | { kind: 'disable' } | { kind: 'enable' };

interface AccountsTableProps {
  accounts: AdminAccount[] | undefined;
  selfId: string | undefined;
  onAction: (account: AdminAccount, action: AccountAction) => void;
}

export function AccountsTable({ accounts, selfId, onAction }: AccountsTableProps) {
  return (
    <section className="card table-card" aria-label="Accounts">
      <div className="table-scroll">
        <table className="table table-cards">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col" className="num">
                Requests
              </th>
              <th scope="col" className="num">
                Cost
              </th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {!accounts ? <SkeletonRows columns={7} rows={3} label="accounts" /> : null}
            {(accounts ?? []).map((a) => (
              <tr key={a.id} className={a.disabled_at ? 'row-revoked' : undefined}>
                <td data-label="Account">
                  <span className="cell-name">{a.email}</span> {a.id === selfId ? <Badge>You</Badge> : null}
                </td>
                <td data-label="Role">{a.role === 'admin' ? <Badge tone="accent">Admin</Badge> : <Badge>Member</Badge>}</td>
                <td data-label="Status">
                  {a.disabled_at ? (
                    <span title={`Since ${formatFullDateTime(a.disabled_at)}`}>
                      <Badge tone="danger">Disabled</Badge>
                    </span>
                  ) : (
                    <Badge tone="ok">Active</Badge>
                  )}
                </td>
                <td data-label="Created">{a.created_at ? formatDate(a.created_at) : '—'}</td>
                <td className="num" data-label="Requests">
                  {formatCount(a.requests)}
                </td>
                <td className="num" data-label="Cost">
                  {formatUsd(a.cost_micro_usd)}
                </td>
                <td className="cell-actions" data-label="Actions">
                  {a.id === selfId ? (
                    <span className="muted small">Your account</span>
                  ) : (
                    <div className="row-actions">
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm"
                        onClick={() => onAction(a, { kind: 'role', role: a.role === 'admin' ? 'member' : 'admin' })}
                        aria-label={a.role === 'admin' ? `Make ${a.email} a member` : `Make ${a.email} an admin`}
                      >
                        {a.role === 'admin' ? 'Make member' : 'Make admin'}
                      </button>
                      <button
                        type="button"
                        className={a.disabled_at ? 'btn btn-ghost btn-sm' : 'btn btn-ghost btn-sm btn-danger-text'}
                        onClick={() => onAction(a, { kind: a.disabled_at ? 'enable' : 'disable' })}
                        aria-label={`${a.disabled_at ? 'Enable' : 'Disable'} account ${a.email}`}
                      >
                        {a.disabled_at ? 'Enable' : 'Disable'}
                      </button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
