/** A small set of mutually exclusive choices shown as pressed / unpressed buttons. */
import { useId } from 'react';

interface SegmentedProps<T extends string> {
  label: string;
  value: T;
  onChange: (value: T) => void;
  options: ReadonlyArray<{ id: T; label: string }>;
}

export function Segmented<T extends string>({ label, value, onChange, options }: SegmentedProps<T>) {
  const id = useId();
  return (
    <div className="toolbar-field">
      <span className="field-label" id={id}>
        {label}
      </span>
      <div className="segmented" role="group" aria-labelledby={id}>
        {options.map((o) => (
          <button
            key={o.id}
            type="button"
            className={o.id === value ? 'segment active' : 'segment'}
            aria-pressed={o.id === value}
            onClick={() => onChange(o.id)}
          >
            {o.label}
          </button>
        ))}
      </div>
    </div>
  );
}
