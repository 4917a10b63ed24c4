/** Which key and model the Playground sends as, and an optional system prompt. */
import { Field } from '../../components/field';
import { plural } from '../../lib/format';
import type { KeyRecord } from '../../lib/types';

interface PlaygroundSettingsProps {
  keys: KeyRecord[];
  keyId: string;
  onKey: (id: string) => void;
  models: string[];
  /** Whether a model has a price (unpriced ones are marked in the list). */
  priced: (model: string) => boolean;
  model: string;
  onModel: (model: string) => void;
  system: string;
  onSystem: (text: string) => void;
  disabled: boolean;
}

export function PlaygroundSettings(props: PlaygroundSettingsProps) {
  const { keys, keyId, onKey, models, priced, model, onModel, system, onSystem, disabled } = props;
  return (
    <aside className="card playground-settings" aria-label="Settings">
      <Field label="Key" hint="The chat runs with this key’s allow-list, spend cap and fallbacks.">
        {(id, d) => (
          <select
            id={id}
            className="input select"
            aria-describedby={d}
            value={keyId}
            onChange={(e) => onKey(e.target.value)}
            disabled={disabled}
          >
            {keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.key_hint})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        label="Model"
        hint={
          models.length === 0
            ? 'This key allows none of your providers’ models.'
            : `${plural(models.length, 'model')} this key may call.`
        }
      >
        {(id, d) => (
          <select
            id={id}
            className="input select mono"
            aria-describedby={d}
            value={model}
            onChange={(e) => onModel(e.target.value)}
            disabled={disabled || models.length === 0}
          >
            {models.map((m) => (
              <option key={m} value={m}>
                {priced(m) ? m : `${m} (unpriced)`}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="System prompt" optional>
        {(id) => (
          <textarea
            id={id}
            className="input textarea"
            rows={4}
            value={system}
            onChange={(e) => onSystem(e.target.value)}
            placeholder="You are a helpful assistant."
            disabled={disabled}
          />
        )}
      </Field>
    </aside>
  );
}
