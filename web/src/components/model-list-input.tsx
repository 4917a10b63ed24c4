/**
 * A list of model strings as removable chips, with an input that suggests the account's models
 * (datalist) and accepts typed patterns such as `openai/*`. Enter, comma, "Add" or leaving the
 * field adds what was typed.
 */
import { useId, useState, type KeyboardEvent } from 'react';
import { XIcon } from './icons';

interface ModelListInputProps {
  label: string;
  values: string[];
  onChange: (values: string[]) => void;
  suggestions: string[];
  hint?: string;
  placeholder?: string;
  /** Fallback chains are ordered: show 1., 2., … */
  ordered?: boolean;
  /** Values with a warning (shown under the field): their chips are marked. */
  warned?: ReadonlySet<string>;
}

export function ModelListInput({
  label,
  values,
  onChange,
  suggestions,
  hint,
  placeholder,
  ordered,
  warned,
}: ModelListInputProps) {
  const id = useId();
  const [text, setText] = useState('');

  function add(raw: string) {
    const entries = raw
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (entries.length === 0) return;
    onChange([...values, ...entries.filter((e) => !values.includes(e))]);
    setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault();
      add(text);
    } else if (event.key === 'Backspace' && text === '' && values.length > 0) {
      onChange(values.slice(0, -1));
    }
  }

  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
        <span className="field-optional"> (optional)</span>
      </label>
      {values.length > 0 ? (
        <ul className="chips" aria-label={`Chosen ${label.toLowerCase()}`}>
          {values.map((value, index) => (
            <li key={value} className={warned?.has(value) ? 'chip chip-warn' : 'chip'}>
              {ordered ? <span className="chip-order">{index + 1}.</span> : null}
              <code>{value}</code>
              <button type="button" className="chip-remove" onClick={() => onChange(values.filter((v) => v !== value))}>
                <XIcon />
                <span className="sr-only">Remove {value}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="input-row">
        <input
          id={id}
          className="input mono"
          list={`${id}-list`}
          value={text}
          placeholder={placeholder}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          onBlur={() => add(text)}
        />
        <button type="button" className="btn btn-secondary" onClick={() => add(text)} disabled={text.trim() === ''}>
          Add
        </button>
      </div>
      <datalist id={`${id}-list`}>
        {suggestions
          .filter((s) => !values.includes(s))
          .map((s) => (
            <option key={s} value={s} />
          ))}
      </datalist>
      {hint ? (
        <div className="field-hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
    </div>
  );
}
