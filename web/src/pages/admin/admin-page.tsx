/**
 * Admin: every account on this server with its usage; disable / enable an account, change its
 * role; the audit log of every account. Never a key.
 */
import { useState } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { InlineError } from '../../components/inline-error';
import { PageHeader } from '../../components/page-header';
import { api } from '../../lib/api';
import { formatCount, formatUsd } from '../../lib/format';
import { useSession } from '../../lib/session';
import type { AdminAccount, ListOf } from '../../lib/types';
import { useAsync } from '../../lib/use-async';
import { AccountsTable, type AccountAction } from './accounts-table';
import { AuditLogCard } from './audit-log-card';

interface Pending {
  account: AdminAccount;
  action: AccountAction;
}

function confirmText({ account, action }: Pending): { title: string; description: string; label: string } {
  if (action.kind === 'disable')
    return {
      title: `Disable ${account.email}?`,
      description:
        'They are logged out at once and cannot log in, and every Z-AI key of theirs is refused until you enable the account again. Nothing is deleted.',
      label: 'Disable account',
    };
  if (action.kind === 'enable')
    return {
      title: `Enable ${account.email}?`,
      description: 'They can log in again and their keys work again.',
      label: 'Enable account',
    };
  return action.role === 'admin'
    ? {
        title: `Make ${account.email} an admin?`,
        description: 'Admins see every account and its usage, disable and enable accounts, and change roles.',
        label: 'Make admin',
      }
    : { title: `Make ${account.email} a member?`, description: 'They lose the Admin page.', label: 'Make member' };
}

export function AdminPage() {
  const { user } = useSession();
  const accounts = useAsync(() => api.get<ListOf<AdminAccount>>('/api/admin/accounts'), []);
  const [pending, setPending] = useState<Pending | null>(null);
  const [auditVersion, setAuditVersion] = useState(0);
  const rows = accounts.data?.data;
  const totalCost = (rows ?? []).reduce((s, a) => s + a.cost_micro_usd, 0);
  const totalRequests = (rows ?? []).reduce((s, a) => s + a.requests, 0);

  async function apply({ account, action }: Pending) {
    const body = action.kind === 'role' ? { role: action.role } : { disabled: action.kind === 'disable' };
    await api.patch(`/api/admin/accounts/${account.id}`, body);
    await accounts.reload();
    setAuditVersion((v) => v + 1);
  }

  const text = pending ? confirmText(pending) : null;
  return (
    <>
      <PageHeader
        title="Admin"
        description="Accounts on this server, their usage and what was done. Admins never see provider keys or Z-AI keys."
      />
      <InlineError message={accounts.error} />
      <section className="stat-grid stat-grid-3" aria-label="Server totals">
        <Stat label="Accounts" value={rows ? formatCount(rows.length) : null} />
        <Stat label="Requests" value={rows ? formatCount(totalRequests) : null} />
        <Stat label="Cost" value={rows ? formatUsd(totalCost) : null} />
      </section>
      <AccountsTable accounts={rows} selfId={user?.id} onAction={(account, action) => setPending({ account, action })} />
      <AuditLogCard key={auditVersion} accounts={rows ?? []} />
      {pending && text ? (
        <ConfirmDialog
          title={text.title}
          description={text.description}
          confirmLabel={text.label}
          danger={pending.action.kind === 'disable'}
          onConfirm={() => apply(pending)}
          onClose={() => setPending(null)}
        />
      ) : null}
    </>
  );
}

function Stat({ label, value }: { label: string; value: string | null }) {
  return (
    <div className="card stat">
      <div className="stat-label">{label}</div>
      {value === null ? (
        <div className="skeleton-line skeleton-value" aria-hidden="true" />
      ) : (
        <div className="stat-value">{value}</div>
      )}
    </div>
  );
}
