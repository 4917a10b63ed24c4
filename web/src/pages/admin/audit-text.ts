/** The audit log's entries in words: what was done, and to what (names, hints, amounts; never a secret). */
import { formatUsd } from '../../lib/format';
import type { AuditEntry } from '../../lib/types';

const ACTIONS: Record<string, string> = {
  'provider.created': 'Connected a provider',
  'provider.key_replaced': 'Replaced a provider key',
  'provider.updated': 'Changed a provider',
  'provider.removed': 'Removed a provider',
  'provider.key_added': 'Added a key to a provider pool',
  'provider.key_updated': 'Changed a provider pool key',
  'provider.key_removed': 'Removed a key from a provider pool',
  'key.created': 'Created a key',
  'key.updated': 'Changed a key',
  'key.cap_changed': 'Changed a spend cap',
  'key.revoked': 'Revoked a key',
  'account.disabled': 'Disabled an account',
  'account.enabled': 'Enabled an account',
  'account.role_changed': 'Changed a role',
};

export function actionText(action: string): string {
  return ACTIONS[action] ?? action;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const cap = (v: unknown): string => (typeof v === 'number' ? formatUsd(v) : 'no cap');

export function detailsText(entry: AuditEntry): string {
  const d = entry.details;
  switch (entry.action) {
    case 'key.cap_changed':
      return `${str(d.name) ?? 'key'}: ${cap(d.from_micro_usd)} → ${cap(d.to_micro_usd)}`;
    case 'key.updated':
      return `${str(d.name) ?? 'key'}: ${Array.isArray(d.fields) ? d.fields.join(', ') : 'changed'}`;
    case 'account.role_changed':
      return `${str(d.email) ?? 'account'}: ${str(d.from) ?? '?'} → ${str(d.to) ?? '?'}`;
    case 'account.disabled':
    case 'account.enabled':
      return str(d.email) ?? '';
    default:
      return [str(d.name), str(d.provider), str(d.key_hint)].filter(Boolean).join(' · ');
  }
}
