/**
 * Paste a provider key: a masked input that React never mirrors into the DOM (uncontrolled),
 * cleared as soon as the key is saved. Also used to replace the key of a connection. A saved key
 * is tested once at once, so the card shows what the provider thinks of it.
 */
import { useRef, useState, type FormEvent } from 'react';
import { Field } from '../../components/field';
import { InlineError } from '../../components/inline-error';
import { api, messageOf } from '../../lib/api';
import type { ProviderRecord, ProviderType } from '../../lib/types';

interface ProviderFormProps {
  type: ProviderType;
  /** Present when replacing the key of an existing connection. */
  existing?: ProviderRecord;
  needsName: boolean;
  onCancel: () => void;
  onSaved: () => Promise<void>;
}

export function ProviderForm({ type, existing, needsName, onCancel, onSaved }: ProviderFormProps) {
  const keyRef = useRef<HTMLInputElement>(null);
  const isCustom = type.id === 'custom';
  const [baseUrl, setBaseUrl] = useState(existing && existing.base_url !== type.default_base_url ? existing.base_url : '');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'saving' | 'testing' | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const input = keyRef.current;
    const apiKey = input?.value.trim() ?? '';
    if (!apiKey && !type.key_optional) return setError(`Paste your ${type.label} API key.`);
    if (isCustom && !baseUrl.trim()) return setError('A custom provider needs its base URL, e.g. http://localhost:11434/v1.');
    if (needsName && !existing && !name.trim())
      return setError('Give this connection a name: it becomes the prefix of its model strings.');
    setBusy('saving');
    setError(null);
    let saved: ProviderRecord;
    try {
      if (existing) {
        const body: Record<string, string> = { base_url: baseUrl.trim() || (type.default_base_url ?? '') };
        // Blank keeps the stored key (only a keyless custom server may leave it blank).
        if (apiKey) body.api_key = apiKey;
        saved = await api.patch<ProviderRecord>(`/api/providers/${existing.id}`, body);
      } else {
        saved = await api.post<ProviderRecord>('/api/providers', {
          provider: type.id,
          api_key: apiKey,
          ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}),
          ...(name.trim() ? { name: name.trim() } : {}),
        });
      }
    } catch (err) {
      setError(messageOf(err));
      setBusy(null);
      return;
    }
    if (input) input.value = '';
    setBusy('testing');
    // The result is kept with the connection; a failed Test is shown on the card, not here.
    await api.post(`/api/providers/${saved.id}/test`).catch(() => undefined);
    await onSaved();
  }

  return (
    <form className="provider-form" onSubmit={(e) => void submit(e)} noValidate>
      <Field
        label={existing ? 'New API key' : 'API key'}
        optional={type.key_optional}
        hint={
          existing && type.key_optional
            ? 'Leave blank to keep the current key.'
            : `Looks like ${type.key_format}. Stored encrypted; never shown again.`
        }
      >
        {(id, describedBy) => (
          <input
            id={id}
            ref={keyRef}
            className="input mono"
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-describedby={describedBy}
            placeholder={type.key_format}
          />
        )}
      </Field>
      <Field
        label="Base URL"
        optional={!isCustom}
        hint={isCustom ? 'Your server’s OpenAI-compatible URL.' : `Default: ${type.default_base_url ?? ''}`}
      >
        {(id, describedBy) => (
          <input
            id={id}
            className="input mono"
            type="url"
            inputMode="url"
            spellCheck={false}
            aria-describedby={describedBy}
            placeholder={type.default_base_url ?? 'http://localhost:11434/v1'}
            value={baseUrl}
            onChange={(e) => setBaseUrl(e.target.value)}
          />
        )}
      </Field>
      {needsName && !existing ? (
        <Field label="Name" hint="Lowercase letters, digits and -. Models are then called as name/model, e.g. ollama/llama3.2.">
          {(id, describedBy) => (
            <input
              id={id}
              className="input mono"
              spellCheck={false}
              aria-describedby={describedBy}
              placeholder={isCustom ? 'ollama' : `${type.id}-2`}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
      ) : null}
      <InlineError message={error} />
      <div className="form-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel} disabled={busy !== null}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy !== null}>
          {busy === 'saving' ? 'Saving…' : busy === 'testing' ? 'Testing the key…' : existing ? 'Save new key' : 'Save'}
        </button>
      </div>
    </form>
  );
}
