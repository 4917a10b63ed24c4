/** The message box: Enter sends, Shift+Enter is a new line; Stop while streaming. */
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { SendIcon } from '../../components/icons';

interface ComposerProps {
  streaming: boolean;
  canSend: boolean;
  canClear: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  onClear: () => void;
}

export function Composer({ streaming, canSend, canClear, onSend, onStop, onClear }: ComposerProps) {
  const [text, setText] = useState('');

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!text.trim() || streaming || !canSend) return;
    onSend(text.trim());
    setText('');
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  return (
    <form className="composer" onSubmit={submit}>
      <label htmlFor="composer-message" className="field-label">
        Message
      </label>
      <textarea
        id="composer-message"
        className="input textarea"
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Ask anything… (Enter to send, Shift+Enter for a new line)"
      />
      <div className="composer-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onClear} disabled={!canClear || streaming}>
          Clear
        </button>
        {streaming ? (
          <button type="button" className="btn btn-secondary" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={!text.trim() || !canSend}>
            <SendIcon />
            Send
          </button>
        )}
      </div>
    </form>
  );
}
