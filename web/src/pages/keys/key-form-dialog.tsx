/** Create or edit a key: name, allowed models, spend cap in USD and its period, TPM limit, fallback models. */
import { useState, type FormEvent } from 'react';
import { Dialog } from '../../components/dialog';
import { Field } from '../../components/field';
import { InlineError } from '../../components/inline-error';
import { ModelListInput } from '../../components/model-list-input';
import { api, messageOf } from '../../lib/api';
import { microToUsdInput, parseUsdToMicro } from '../../lib/format';
import { fallbackList } from '../../lib/models';
import type { BudgetPeriod, KeyInput, KeyRecord, NewKey } from '../../lib/types';

interface KeyFormDialogProps {
  existing: KeyRecord | undefined;
  allowSuggestions: string[];
  fallbackSuggestions: string[];
  onClose: () => void;
  onSaved: (saved: KeyRecord | NewKey) => Promise<void>;
}

export function KeyFormDialog({ existing, allowSuggestions, fallbackSuggestions, onClose, onSaved }: KeyFormDialogProps) {
  const [name, setName] = useState(existing?.name ?? '');
  const [allowed, setAllowed] = useState<string[]>(existing?.allowed_models ?? []);
  const [cap, setCap] = useState(microToUsdInput(existing?.spend_cap_micro_usd ?? null));
  const [period, setPeriod] = useState<BudgetPeriod>(existing?.budget_period ?? 'total');
  const [tpm, setTpm] = useState(existing?.rate_limit_tpm == null ? '' : String(existing.rate_limit_tpm));
  const [fallbacks, setFallbacks] = useState<string[]>(fallbackList(existing?.fallback_model ?? null));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const capMicro = parseUsdToMicro(cap);
    if (!name.trim()) return setError('Give the key a name, e.g. “backend-prod”.');
    if (capMicro === 'invalid') return setError('Spend cap must be an amount in USD, like 10 or 2.50 (at most 6 decimals).');
    const tpmLimit = tpm.trim() === '' ? null : Number(tpm.trim());
    if (tpmLimit !== null && (!Number.isInteger(tpmLimit) || tpmLimit < 1))
      return setError('Tokens per minute must be a whole number of at least 1, or empty for no limit.');
    const body: KeyInput = {
      name: name.trim(),
      allowed_models: allowed,
      spend_cap_micro_usd: capMicro,
      fallback_model: fallbacks.length === 0 ? null : fallbacks.length === 1 ? (fallbacks[0] as string) : fallbacks,
      budget_period: period,
      rate_limit_tpm: tpmLimit,
    };
    setBusy(true);
    setError(null);
    try {
      const saved = existing
        ? await api.patch<KeyRecord>(`/api/keys/${existing.id}`, body)
        : await api.post<NewKey>('/api/keys', body);
      await onSaved(saved);
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title={existing ? `Edit “${existing.name}”` : 'Create a key'} onClose={onClose} busy={busy} wide>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Name" hint="For you: where this key is used.">
          {(id, describedBy) => (
            <input
              id={id}
              className="input"
              aria-describedby={describedBy}
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="backend-prod"
              autoFocus
            />
          )}
        </Field>
        <ModelListInput
          label="Allowed models"
          values={allowed}
          onChange={setAllowed}
          suggestions={allowSuggestions}
          placeholder="openai/* or openai/gpt-4o-mini"
          hint="Pick from your providers’ models or type a pattern ending in *. Empty: every model."
        />
        <Field label="Spend cap (USD)" optional hint="The key answers 402 once the cap cannot cover a request. Empty: no cap.">
          {(id, describedBy) => (
            <div className="input-prefix">
              <span aria-hidden="true">$</span>
              <input
                id={id}
                className="input"
                inputMode="decimal"
                aria-describedby={describedBy}
                value={cap}
                onChange={(e) => setCap(e.target.value)}
                placeholder="10.00"
              />
            </div>
          )}
        </Field>
        <Field
          label="Cap applies to"
          hint="A daily, weekly or monthly cap starts afresh at midnight UTC (weeks on Monday, months on the 1st)."
        >
          {(id, describedBy) => (
            <select
              id={id}
              className="input"
              aria-describedby={describedBy}
              value={period}
              onChange={(e) => setPeriod(e.target.value as BudgetPeriod)}
            >
              <option value="total">The key’s whole life</option>
              <option value="day">Each day</option>
              <option value="week">Each week</option>
              <option value="month">Each month</option>
            </select>
          )}
        </Field>
        {existing?.period_resets_at ? (
          <p className="muted small">The current period resets {new Date(existing.period_resets_at).toUTCString()}.</p>
        ) : null}
        <Field
          label="Tokens per minute"
          optional
          hint="Input and output tokens this key may use per minute; over it: 429. Empty: no limit."
        >
          {(id, describedBy) => (
            <input
              id={id}
              className="input"
              inputMode="numeric"
              aria-describedby={describedBy}
              value={tpm}
              onChange={(e) => setTpm(e.target.value)}
              placeholder="100000"
            />
          )}
        </Field>
        <ModelListInput
          label="Fallback models"
          values={fallbacks}
          onChange={setFallbacks}
          suggestions={fallbackSuggestions}
          ordered
          placeholder="anthropic/claude-sonnet-4-5"
          hint="Tried in order when the model fails with an outage, a timeout or a rate limit."
        />
        <InlineError message={error} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : existing ? 'Save changes' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
