/** Previous / next for a list shown a page at a time, with where the reader is. */
import { formatCount } from '../lib/format';

interface PagerProps {
  page: number;
  pages: number;
  pageSize: number;
  total: number;
  label: string;
  onPage: (page: number) => void;
}

export function Pager({ page, pages, pageSize, total, label, onPage }: PagerProps) {
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <span className="muted small" aria-live="polite">
        {formatCount(from)}–{formatCount(to)} of {formatCount(total)} · page {page} of {pages}
      </span>
      <button type="button" className="btn btn-ghost btn-sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <button type="button" className="btn btn-ghost btn-sm" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}
