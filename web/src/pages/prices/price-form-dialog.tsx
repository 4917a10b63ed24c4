/** Add a custom price, edit one, or override a catalog price. */
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/dialog';
import { Field } from '../../components/field';
import { InlineError } from '../../components/inline-error';
import { api, messageOf } from '../../lib/api';
import type { Price } from '../../lib/types';

interface PriceFormDialogProps {
  existing: Price | undefined;
  /** A new price for this model (from a "Set price" link). */
  initialModel?: string;
  onClose: () => void;
  onSaved: () => Promise<void>;
}

function parsePrice(text: string): number | null | 'invalid' {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) && n >= 0 ? n : 'invalid';
}

const str = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

export function PriceFormDialog({ existing, initialModel, onClose, onSaved }: PriceFormDialogProps) {
  const [model, setModel] = useState(existing?.model ?? initialModel ?? '');
  const [input, setInput] = useState(str(existing?.input_usd_per_mtok));
  const [output, setOutput] = useState(str(existing?.output_usd_per_mtok));
  const [cached, setCached] = useState(str(existing?.cached_input_usd_per_mtok));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const i = parsePrice(input);
    const o = parsePrice(output);
    const c = parsePrice(cached);
    if (!model.trim().includes('/')) return setError('Model must be a full model string: provider/model, e.g. ollama/llama3.2.');
    if (i === null || i === 'invalid' || o === null || o === 'invalid' || c === 'invalid')
      return setError('Prices are numbers ≥ 0 in USD per million tokens (0 means free).');
    setBusy(true);
    setError(null);
    try {
      await api.put('/api/prices', {
        model: model.trim(),
        input_usd_per_mtok: i,
        output_usd_per_mtok: o,
        ...(c === null ? {} : { cached_input_usd_per_mtok: c }),
      });
      await onSaved();
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  const title = !existing
    ? initialModel
      ? 'Set a price'
      : 'Add a custom price'
    : existing.source === 'custom'
      ? 'Edit custom price'
      : 'Override catalog price';
  return (
    <Dialog
      title={title}
      description="USD per million tokens. 0 is a valid price, e.g. for a self-hosted model."
      onClose={onClose}
      busy={busy}
    >
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Model" hint="As your code calls it: provider/model.">
          {(id, d) => (
            <input
              id={id}
              className="input mono"
              aria-describedby={d}
              value={model}
              readOnly={Boolean(existing)}
              onChange={(e) => setModel(e.target.value)}
              placeholder="ollama/llama3.2"
            />
          )}
        </Field>
        <div className="form-grid">
          <Field label="Input (USD / 1M tokens)">
            {(id) => (
              <input
                id={id}
                className="input"
                inputMode="decimal"
                value={input}
                onChange={(e) => setInput(e.target.value)}
                placeholder="0.15"
              />
            )}
          </Field>
          <Field label="Output (USD / 1M tokens)">
            {(id) => (
              <input
                id={id}
                className="input"
                inputMode="decimal"
                value={output}
                onChange={(e) => setOutput(e.target.value)}
                placeholder="0.60"
              />
            )}
          </Field>
        </div>
        <Field label="Cached input (USD / 1M tokens)" optional>
          {(id) => (
            <input
              id={id}
              className="input"
              inputMode="decimal"
              value={cached}
              onChange={(e) => setCached(e.target.value)}
              placeholder="0.075"
            />
          )}
        </Field>
        <InlineError message={error} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save price'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
