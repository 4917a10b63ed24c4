/** Loading placeholders shaped like what is coming: one per card, announced once as "Loading…". */

/** Grey bars standing in for lines of text. */
export function SkeletonLines({ lines = 3, label }: { lines?: number; label?: string }) {
  return (
    <div className="skeleton-lines" aria-busy="true">
      {label ? <span className="sr-only">Loading {label}…</span> : null}
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="skeleton-line" aria-hidden="true" />
      ))}
    </div>
  );
}

/** A card-sized placeholder. */
export function SkeletonCard({ lines = 3, label, className }: { lines?: number; label?: string; className?: string }) {
  return (
    <div className={`card skeleton-card ${className ?? ''}`}>
      <SkeletonLines lines={lines} label={label} />
    </div>
  );
}

/** Placeholder rows for a table that is loading. */
export function SkeletonRows({ columns, rows = 4, label }: { columns: number; rows?: number; label: string }) {
  return (
    <>
      {Array.from({ length: rows }, (_, r) => (
        <tr key={r} className="skeleton-row" aria-busy="true">
          {Array.from({ length: columns }, (_, c) => (
            <td key={c}>
              {r === 0 && c === 0 ? <span className="sr-only">Loading {label}…</span> : null}
              <span className="skeleton-line" aria-hidden="true" />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}
