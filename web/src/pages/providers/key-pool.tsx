/**
 * A provider's pool of keys: each key's label, weight, state and recent errors, with Test, Enable /
 * Disable and Remove; and a small form to add a key. Keys are shown by their hint only.
 */
import { useState, type FormEvent } from 'react';
import { Badge } from '../../components/badge';
import { Field } from '../../components/field';
import { InlineError } from '../../components/inline-error';
import { api, messageOf } from '../../lib/api';
import { formatDateTime } from '../../lib/format';
import type { PoolKeyRecord, ProviderRecord } from '../../lib/types';

interface KeyPoolProps {
  record: ProviderRecord;
  onChanged: () => Promise<void>;
}

function StateBadge({ k }: { k: PoolKeyRecord }) {
  if (!k.enabled) return <Badge>disabled</Badge>;
  if (k.state === 'cooling_down')
    return <Badge tone="warn">cooling down{k.until ? ` until ${formatDateTime(k.until)}` : ''}</Badge>;
  if (k.state === 'failing') return <Badge tone="danger">failing{k.error ? `: ${k.error}` : ''}</Badge>;
  return <Badge tone="ok">ok</Badge>;
}

export function KeyPool({ record, onChanged }: KeyPoolProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  async function act(id: string, action: () => Promise<unknown>) {
    setBusy(id);
    setError(null);
    try {
      await action();
      await onChanged();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  }

  const base = `/api/providers/${record.id}/keys`;
  return (
    <div className="key-pool">
      {/* One key is shown in the connection's facts; the table appears with a second. */}
      {record.keys.length > 1 ? (
        <div className="table-scroll">
          <table className="table" aria-label={`Keys of ${record.name}`}>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Label</th>
                <th scope="col">Weight</th>
                <th scope="col">State</th>
                <th scope="col">Last hour</th>
                <th scope="col">Last error</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {record.keys.map((k) => (
                <KeyRow key={k.id} k={k} busy={busy === k.id} base={base} act={act} only={record.keys.length === 1} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <InlineError message={error} />
      {adding ? (
        <AddKeyForm
          base={base}
          onCancel={() => setAdding(false)}
          onAdded={async () => {
            setAdding(false);
            await onChanged();
          }}
        />
      ) : (
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          onClick={() => setAdding(true)}
          aria-label={`Add a key to ${record.name}`}
        >
          Add key
        </button>
      )}
    </div>
  );
}

interface KeyRowProps {
  k: PoolKeyRecord;
  busy: boolean;
  base: string;
  only: boolean;
  act: (id: string, action: () => Promise<unknown>) => Promise<void>;
}

function KeyRow({ k, busy, base, only, act }: KeyRowProps) {
  const [label, setLabel] = useState(k.label);
  const [weight, setWeight] = useState(String(k.weight));
  const changed = label !== k.label || weight !== String(k.weight);
  const last = k.recent_errors[0];
  const name = k.label || k.hint || k.id;
  return (
    <tr>
      <td>
        <code>{k.hint || 'none'}</code>
      </td>
      <td>
        <input
          className="input input-sm"
          value={label}
          maxLength={100}
          aria-label={`Label of key ${name}`}
          onChange={(e) => setLabel(e.target.value)}
        />
      </td>
      <td>
        <input
          className="input input-sm"
          type="number"
          min={1}
          max={100}
          value={weight}
          aria-label={`Weight of key ${name}`}
          onChange={(e) => setWeight(e.target.value)}
        />
      </td>
      <td>
        <StateBadge k={k} />
      </td>
      <td>
        {k.requests_last_hour} requests, {k.errors_last_hour} errors
        {k.last_used_at ? <div className="muted small">last used {formatDateTime(k.last_used_at)}</div> : null}
      </td>
      <td>
        {last ? (
          <span className="small">
            {last.status} {last.code ?? ''} · {formatDateTime(last.at)}
          </span>
        ) : (
          <span className="muted small">none</span>
        )}
      </td>
      <td className="key-pool-actions">
        {changed ? (
          <button
            type="button"
            className="btn btn-secondary btn-sm"
            disabled={busy}
            onClick={() => void act(k.id, () => api.patch(`${base}/${k.id}`, { label, weight: Number(weight) }))}
          >
            Save
          </button>
        ) : null}
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          disabled={busy}
          aria-label={`Test key ${name}`}
          onClick={() => void act(k.id, () => api.post(`${base}/${k.id}/test`))}
        >
          Test
        </button>
        {only ? null : (
          <>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              disabled={busy}
              aria-label={`${k.enabled ? 'Disable' : 'Enable'} key ${name}`}
              onClick={() => void act(k.id, () => api.patch(`${base}/${k.id}`, { enabled: !k.enabled }))}
            >
              {k.enabled ? 'Disable' : 'Enable'}
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-sm btn-danger-text"
              disabled={busy}
              aria-label={`Remove key ${name}`}
              onClick={() => void act(k.id, () => api.delete(`${base}/${k.id}`))}
            >
              Remove
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

function AddKeyForm({ base, onCancel, onAdded }: { base: string; onCancel: () => void; onAdded: () => Promise<void> }) {
  const [apiKey, setApiKey] = useState('');
  const [label, setLabel] = useState('');
  const [weight, setWeight] = useState('1');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await api.post(base, { api_key: apiKey, label, weight: Number(weight) });
      await onAdded();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <form className="key-pool-add" onSubmit={(e) => void submit(e)}>
      <Field label="API key">
        {(id) => (
          <input
            id={id}
            className="input"
            type="password"
            autoComplete="off"
            value={apiKey}
            onChange={(e) => setApiKey(e.target.value)}
          />
        )}
      </Field>
      <Field label="Label" optional>
        {(id) => <input id={id} className="input" maxLength={100} value={label} onChange={(e) => setLabel(e.target.value)} />}
      </Field>
      <Field label="Weight" hint="1–100: its share of the requests among the available keys.">
        {(id, describedBy) => (
          <input
            id={id}
            className="input"
            type="number"
            min={1}
            max={100}
            aria-describedby={describedBy}
            value={weight}
            onChange={(e) => setWeight(e.target.value)}
          />
        )}
      </Field>
      <InlineError message={error} />
      <div className="connection-actions">
        <button type="submit" className="btn btn-primary btn-sm" disabled={saving}>
          {saving ? 'Adding…' : 'Add key'}
        </button>
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
