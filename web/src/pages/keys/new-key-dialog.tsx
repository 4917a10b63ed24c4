/** The new key, shown once, with a Copy button and a warning. */
import { useId, useRef } from 'react';
import { CopyButton } from '../../components/copy-button';
import { Dialog } from '../../components/dialog';
import { AlertIcon } from '../../components/icons';
import type { NewKey } from '../../lib/types';

export function NewKeyDialog({ created, onClose }: { created: NewKey; onClose: () => void }) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <Dialog
      title="Your new key"
      description={`“${created.name}” is ready. Use it as the API key of any OpenAI SDK.`}
      onClose={onClose}
      wide
    >
      <div className="warning" role="note">
        <AlertIcon />
        <span>
          <strong>Copy it now.</strong> This is the only time Z-AI shows this key. If you lose it, revoke it and create a new one.
        </span>
      </div>
      <div className="field">
        <label className="field-label" htmlFor={id}>
          Key
        </label>
        <div className="input-row">
          <input
            id={id}
            ref={inputRef}
            className="input mono key-reveal"
            readOnly
            value={created.key}
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={created.key} onFallback={() => inputRef.current?.select()} />
        </div>
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
