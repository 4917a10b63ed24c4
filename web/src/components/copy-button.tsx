/** Copies text to the clipboard; says "Copied" for a moment, or how to copy by hand. */
import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from './icons';

export function CopyButton({ text, onFallback }: { text: string; onFallback?: () => void }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      onFallback?.();
      setState('failed');
    }
  }

  return (
    <>
      <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
        {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span className="sr-only" aria-live="polite">
        {state === 'copied'
          ? 'Key copied to the clipboard'
          : state === 'failed'
            ? 'Copy failed: the key is selected, press Ctrl+C'
            : ''}
      </span>
      {state === 'failed' ? <span className="field-hint">Selected: press Ctrl+C (⌘C) to copy.</span> : null}
    </>
  );
}
