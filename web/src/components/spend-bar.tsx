/** "$3.21 of $10.00" with a bar that turns amber near the cap and red at it. */
import { formatUsd } from '../lib/format';

export function SpendBar({ spent, cap }: { spent: number; cap: number | null }) {
  if (cap === null) {
    return (
      <div className="spend">
        <span>
          <span className="spend-text">{formatUsd(spent)}</span>
          <span className="muted"> · no cap</span>
        </span>
      </div>
    );
  }
  const ratio = cap === 0 ? 1 : Math.min(1, spent / cap);
  const tone = ratio >= 1 ? 'danger' : ratio >= 0.8 ? 'warn' : 'ok';
  return (
    <div className="spend">
      <span className="spend-text">
        {formatUsd(spent)} of {formatUsd(cap)}
      </span>
      <progress
        className={`spend-bar spend-${tone}`}
        max={1}
        value={ratio}
        aria-label={`${Math.round(ratio * 100)}% of the spend cap used`}
      />
    </div>
  );
}
