/** One key in the list: its status, models (unpriced ones marked), spend, times and actions, each named with the key. */
import { Badge } from '../../components/badge';
import { SpendBar } from '../../components/spend-bar';
import { formatDate, formatDateTime, formatFullDateTime, formatRelative } from '../../lib/format';
import { fallbackList } from '../../lib/models';
import type { PriceOf } from '../../lib/pricing';
import { linkClick } from '../../lib/router';
import type { KeyRecord } from '../../lib/types';
import { keyStatus } from './key-list-view';

interface KeyRowProps {
  record: KeyRecord;
  priceOf: PriceOf;
  onEdit: () => void;
  onRevoke: () => void;
}

export function KeyRow({ record, priceOf, onEdit, onRevoke }: KeyRowProps) {
  const status = keyStatus(record);
  const revoked = status === 'revoked';
  const fallbacks = fallbackList(record.fallback_model);
  const usageHref = `/usage?key=${encodeURIComponent(record.id)}`;
  const playgroundHref = `/playground?key=${encodeURIComponent(record.id)}`;
  return (
    <tr className={revoked ? 'row-revoked' : undefined}>
      <td data-label="Name">
        <div className="cell-title">
          <span className="cell-name">{record.name}</span>
          {status === 'revoked' ? <Badge tone="danger">Revoked</Badge> : null}
          {status === 'blocked' ? <Badge tone="danger">Blocked: cap reached</Badge> : null}
        </div>
        <code className="muted small">{record.key_hint}</code>
        <div className="key-links">
          <a href={usageHref} onClick={linkClick(usageHref)} aria-label={`Usage of key ${record.name}`}>
            Usage
          </a>
          {revoked ? null : (
            <a href={playgroundHref} onClick={linkClick(playgroundHref)} aria-label={`Playground with key ${record.name}`}>
              Playground
            </a>
          )}
        </div>
      </td>
      <td data-label="Models">
        {record.allowed_models.length === 0 ? (
          <span className="muted">All models</span>
        ) : (
          <ul className="tag-list" aria-label={`Models of ${record.name}`}>
            {record.allowed_models.map((m) => (
              <li key={m}>
                <code className="tag">{m}</code>
                {!m.endsWith('*') && priceOf(m) === undefined ? <Badge tone="warn">Unpriced</Badge> : null}
              </li>
            ))}
          </ul>
        )}
        {fallbacks.length > 0 ? <div className="muted small">Fallback: {fallbacks.join(' → ')}</div> : null}
      </td>
      <td className="cell-spend" data-label="Spend">
        <SpendBar spent={record.spent_micro_usd} cap={record.spend_cap_micro_usd} />
        {record.period_resets_at ? (
          <div className="muted small">
            Per {record.budget_period}; resets {formatDateTime(record.period_resets_at)}
          </div>
        ) : null}
      </td>
      <td className="nowrap" data-label="Last used">
        {record.last_used_at ? (
          <time dateTime={record.last_used_at} title={formatFullDateTime(record.last_used_at)}>
            {formatRelative(record.last_used_at)}
          </time>
        ) : (
          'Never'
        )}
      </td>
      <td className="nowrap" data-label="Created">
        <time dateTime={record.created_at} title={formatFullDateTime(record.created_at)}>
          {formatDate(record.created_at)}
        </time>
      </td>
      <td className="cell-actions" data-label="Actions">
        <div className="row-actions">
          {revoked ? (
            <span className="muted small">Revoked {formatDate(record.revoked_at ?? record.created_at)}</span>
          ) : (
            <>
              <button type="button" className="btn btn-ghost btn-sm" onClick={onEdit} aria-label={`Edit key ${record.name}`}>
                Edit
              </button>
              <button
                type="button"
                className="btn btn-ghost btn-sm btn-danger-text"
                onClick={onRevoke}
                aria-label={`Revoke key ${record.name}`}
              >
                Revoke
              </button>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}
