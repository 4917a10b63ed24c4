/** Search keys by name, show active / blocked / revoked ones, sort by spend, last use or creation. */
import { Segmented } from '../../components/segmented';
import { KEY_SORTS, type KeyFilter, type KeySort } from './key-list-view';

interface KeysToolbarProps {
  query: string;
  onQuery: (query: string) => void;
  filter: KeyFilter;
  onFilter: (filter: KeyFilter) => void;
  sort: KeySort;
  onSort: (sort: KeySort) => void;
  counts: Record<KeyFilter, number>;
}

const FILTERS: ReadonlyArray<{ id: KeyFilter; label: string }> = [
  { id: 'all', label: 'All' },
  { id: 'active', label: 'Active' },
  { id: 'blocked', label: 'Blocked' },
  { id: 'revoked', label: 'Revoked' },
];

export function KeysToolbar({ query, onQuery, filter, onFilter, sort, onSort, counts }: KeysToolbarProps) {
  return (
    <div className="toolbar">
      <div className="toolbar-field grow">
        <label htmlFor="key-search" className="field-label">
          Search keys
        </label>
        <input
          id="key-search"
          className="input"
          type="search"
          placeholder="Key name, e.g. backend"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
        />
      </div>
      <Segmented
        label="Show"
        value={filter}
        onChange={onFilter}
        options={FILTERS.map((f) => ({ id: f.id, label: `${f.label} (${counts[f.id]})` }))}
      />
      <div className="toolbar-field">
        <label htmlFor="key-sort" className="field-label">
          Sort by
        </label>
        <select id="key-sort" className="input select" value={sort} onChange={(e) => onSort(e.target.value as KeySort)}>
          {KEY_SORTS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
