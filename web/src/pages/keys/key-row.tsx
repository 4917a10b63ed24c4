/** One key in the list. */
import { Badge } from '../../components/badge';
import { SpendBar } from '../../components/spend-bar';
import { formatDate, formatDateTime, formatRelative } from '../../lib/format';
import { fallbackList } from '../../lib/models';
import type { KeyRecord } from '../../lib/types';

interface KeyRowProps {
  record: KeyRecord;
  onEdit: () => void;
  onRevoke: () => void;
}

export function KeyRow({ record, onEdit, onRevoke }: KeyRowProps) {
  const revoked = record.revoked_at !== null;
  const fallbacks = fallbackList(record.fallback_model);
  return (
    <tr className={revoked ? 'row-revoked' : undefined}>
      <td>
        <div className="cell-title">
          <span className="cell-name">{record.name}</span>
          {revoked ? <Badge tone="danger">Revoked</Badge> : null}
        </div>
        <code className="muted small">{record.key_hint}</code>
      </td>
      <td>
        {record.allowed_models.length === 0 ? (
          <span className="muted">All models</span>
        ) : (
          <div className="tag-list">
            {record.allowed_models.map((m) => (
              <code key={m} className="tag">
                {m}
              </code>
            ))}
          </div>
        )}
        {fallbacks.length > 0 ? <div className="muted small">Fallback: {fallbacks.join(' → ')}</div> : null}
      </td>
      <td className="cell-spend">
        <SpendBar spent={record.spent_micro_usd} cap={record.spend_cap_micro_usd} />
        {record.period_resets_at ? (
          <div className="muted small">
            Per {record.budget_period}; resets {formatDateTime(record.period_resets_at)}
          </div>
        ) : null}
      </td>
      <td className="nowrap">{formatRelative(record.last_used_at)}</td>
      <td className="nowrap">{formatDate(record.created_at)}</td>
      <td className="cell-actions">
        {revoked ? (
          <span className="muted small">Revoked {formatDate(record.revoked_at ?? record.created_at)}</span>
        ) : (
          <>
            <button type="button" className="btn btn-ghost btn-sm" onClick={onEdit}>
              Edit
            </button>
            <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={onRevoke}>
              Revoke
            </button>
          </>
        )}
      </td>
    </tr>
  );
}
