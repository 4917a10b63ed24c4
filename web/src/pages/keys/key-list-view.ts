/** What the Keys list shows of many keys: each key's status, and search, filter, sort and paging. */
import type { KeyRecord } from '../../lib/types';

export type KeyStatus = 'active' | 'blocked' | 'revoked';
export type KeyFilter = 'all' | KeyStatus;
export type KeySort = 'created' | 'spend' | 'last_used' | 'name';

export const KEY_SORTS: ReadonlyArray<{ id: KeySort; label: string }> = [
  { id: 'created', label: 'Newest first' },
  { id: 'spend', label: 'Highest spend' },
  { id: 'last_used', label: 'Last used' },
  { id: 'name', label: 'Name (A–Z)' },
];

export const PAGE_SIZE = 20;

/** Blocked: a cap the spend has reached, so the key refuses every priced request (402). */
export function keyStatus(key: KeyRecord): KeyStatus {
  if (key.revoked_at !== null) return 'revoked';
  if (key.spend_cap_micro_usd !== null && key.spent_micro_usd >= key.spend_cap_micro_usd) return 'blocked';
  return 'active';
}

const time = (iso: string | null | undefined): number => (iso ? Date.parse(iso) : 0);

const COMPARE: Record<KeySort, (a: KeyRecord, b: KeyRecord) => number> = {
  created: (a, b) => time(b.created_at) - time(a.created_at),
  spend: (a, b) => b.spent_micro_usd - a.spent_micro_usd,
  // Never-used keys last.
  last_used: (a, b) => time(b.last_used_at) - time(a.last_used_at),
  name: (a, b) => a.name.localeCompare(b.name, 'en', { numeric: true, sensitivity: 'base' }),
};

export interface KeyView {
  query: string;
  filter: KeyFilter;
  sort: KeySort;
  page: number;
}

export interface KeyListResult {
  shown: KeyRecord[];
  matching: number;
  pages: number;
  page: number;
  counts: Record<KeyFilter, number>;
}

/** The page of keys to show. Revoked keys sort after live ones: they are history. */
export function viewKeys(keys: readonly KeyRecord[], view: KeyView): KeyListResult {
  const counts: Record<KeyFilter, number> = { all: keys.length, active: 0, blocked: 0, revoked: 0 };
  for (const key of keys) counts[keyStatus(key)] += 1;
  const q = view.query.trim().toLowerCase();
  const compare = COMPARE[view.sort];
  const matching = keys
    .filter((k) => (view.filter === 'all' || keyStatus(k) === view.filter) && (!q || k.name.toLowerCase().includes(q)))
    .sort((a, b) => Number(a.revoked_at !== null) - Number(b.revoked_at !== null) || compare(a, b) || COMPARE.created(a, b));
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const page = Math.min(Math.max(view.page, 1), pages);
  return {
    shown: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
    matching: matching.length,
    pages,
    page,
    counts,
  };
}
