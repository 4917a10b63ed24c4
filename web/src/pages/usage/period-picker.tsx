/** A segmented control for the period: one pressed button at a time. */
import { PERIODS, type PeriodId } from '../../lib/usage-stats';

export function PeriodPicker({ value, onChange }: { value: PeriodId; onChange: (id: PeriodId) => void }) {
  return (
    <div className="toolbar-field">
      <span className="field-label" id="period-label">
        Period
      </span>
      <div className="segmented" role="group" aria-labelledby="period-label">
        {PERIODS.map((p) => (
          <button
            key={p.id}
            type="button"
            className={p.id === value ? 'segment active' : 'segment'}
            aria-pressed={p.id === value}
            onClick={() => onChange(p.id)}
          >
            {p.label}
          </button>
        ))}
      </div>
    </div>
  );
}
