/**
 * Create or edit a key: name, allowed models, spend cap in USD and its period, tokens per minute,
 * fallback models. Before it saves,
 * each model is checked against the account's providers, models, prices and the cap (warnings with
 * a fix), and a cap at or below what the key already spent asks for confirmation.
 */
import { useMemo, useState, type FormEvent } from 'react';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Dialog } from '../../components/dialog';
import { Field } from '../../components/field';
import { InlineError } from '../../components/inline-error';
import { ModelListInput } from '../../components/model-list-input';
import { api, messageOf } from '../../lib/api';
import { formatUsd, microToUsdInput, parseUsdToMicro } from '../../lib/format';
import { checkKeyModels } from '../../lib/key-checks';
import { fallbackList, modelSuggestions } from '../../lib/models';
import type { PriceOf } from '../../lib/pricing';
import type { BudgetPeriod, KeyInput, KeyRecord, NewKey, ProviderRecord } from '../../lib/types';
import { PriceFormDialog } from '../prices/price-form-dialog';
import { ModelWarnings } from './model-warnings';

/** What the form checks models against. */
export interface KeyFormContext {
  models: string[];
  providers: ProviderRecord[];
  priceOf: PriceOf;
  reloadPrices: () => Promise<void>;
}

interface KeyFormDialogProps {
  existing: KeyRecord | undefined;
  context: KeyFormContext;
  onClose: () => void;
  onSaved: (saved: KeyRecord | NewKey) => Promise<void>;
}

export function KeyFormDialog({ existing, context, onClose, onSaved }: KeyFormDialogProps) {
  const [name, setName] = useState(existing?.name ?? '');
  const [allowed, setAllowed] = useState<string[]>(existing?.allowed_models ?? []);
  const [cap, setCap] = useState(microToUsdInput(existing?.spend_cap_micro_usd ?? null));
  const [period, setPeriod] = useState<BudgetPeriod>(existing?.budget_period ?? 'total');
  const [tpm, setTpm] = useState(existing?.rate_limit_tpm == null ? '' : String(existing.rate_limit_tpm));
  const [fallbacks, setFallbacks] = useState<string[]>(fallbackList(existing?.fallback_model ?? null));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pricing, setPricing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<KeyInput | null>(null);

  const capMicro = parseUsdToMicro(cap);
  const capped = typeof capMicro === 'number';
  const { models, providers, priceOf } = context;
  const allowWarnings = useMemo(
    () => checkKeyModels({ entries: allowed, capped, providers, models, priceOf }),
    [allowed, capped, providers, models, priceOf],
  );
  const fallbackWarnings = useMemo(
    () => checkKeyModels({ entries: fallbacks, capped, providers, models, priceOf }),
    [fallbacks, capped, providers, models, priceOf],
  );
  const modelObjects = useMemo(() => models.map((id) => ({ id, owned_by: '' })), [models]);

  async function save(body: KeyInput) {
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

  function submit(event: FormEvent) {
    event.preventDefault();
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
    const capChanged = capMicro !== (existing?.spend_cap_micro_usd ?? null);
    // The key's spend shown is that of its current period: it says nothing about another period's.
    const samePeriod = period === (existing?.budget_period ?? 'total');
    if (existing && capChanged && samePeriod && capMicro !== null && capMicro <= existing.spent_micro_usd)
      return setConfirming(body);
    void save(body);
  }

  return (
    <>
      <Dialog title={existing ? `Edit “${existing.name}”` : 'Create a key'} onClose={onClose} busy={busy} wide>
        <form className="stack" onSubmit={submit} noValidate>
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
          <div>
            <ModelListInput
              label="Allowed models"
              values={allowed}
              onChange={setAllowed}
              suggestions={modelSuggestions(modelObjects, providers, true)}
              warned={new Set(allowWarnings.map((w) => w.model))}
              placeholder="openai/* or openai/gpt-4o-mini"
              hint="Pick from your providers’ models or type a pattern ending in *. Empty: every model."
            />
            <ModelWarnings label="Allowed models" warnings={allowWarnings} onSetPrice={setPricing} />
          </div>
          <Field
            label="Spend cap (USD)"
            optional
            hint={
              existing
                ? `Spent so far: ${formatUsd(existing.spent_micro_usd)}. The key answers 402 once the cap cannot cover a request. Empty: no cap.`
                : 'The key answers 402 once the cap cannot cover a request. Empty: no cap.'
            }
          >
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
          <div>
            <ModelListInput
              label="Fallback models"
              values={fallbacks}
              onChange={setFallbacks}
              suggestions={modelSuggestions(modelObjects, [], false)}
              warned={new Set(fallbackWarnings.map((w) => w.model))}
              ordered
              placeholder="anthropic/claude-sonnet-4-5"
              hint="Tried in order when the model fails with an outage, a timeout or a rate limit."
            />
            <ModelWarnings label="Fallback models" warnings={fallbackWarnings} onSetPrice={setPricing} />
          </div>
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
      {pricing !== null ? (
        <PriceFormDialog
          existing={undefined}
          initialModel={pricing}
          onClose={() => setPricing(null)}
          onSaved={async () => {
            await context.reloadPrices();
            setPricing(null);
          }}
        />
      ) : null}
      {confirming && existing ? (
        <ConfirmDialog
          title={`Block “${existing.name}” now?`}
          description={`It has already spent ${formatUsd(existing.spent_micro_usd)}. With a cap of ${formatUsd(
            confirming.spend_cap_micro_usd ?? 0,
          )} it refuses every priced request (402) until you raise the cap again.`}
          confirmLabel="Save and block the key"
          onConfirm={() => save(confirming)}
          onClose={() => setConfirming(null)}
        />
      ) : null}
    </>
  );
}
