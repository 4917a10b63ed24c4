/** The outage banner: said, not hidden, while the server cannot be reached; a short note when it is back. */
import { useEffect, useState } from 'react';
import { retryNow, useConnectivity } from '../lib/connectivity';
import { AlertIcon, CheckIcon } from './icons';

export function ConnectionBanner() {
  const { reachable, nextProbeAt, recoveredAt } = useConnectivity();
  const seconds = useSecondsUntil(reachable ? null : nextProbeAt);
  if (!reachable) {
    return (
      <div className="conn-banner conn-down">
        <div role="alert" className="conn-text">
          <AlertIcon />
          <strong>Z-AI cannot be reached — retrying.</strong>
        </div>
        <span className="conn-next" aria-hidden="true">
          {seconds === null || seconds <= 0 ? 'Trying now…' : `Next try in ${seconds} s`}
        </span>
        <button type="button" className="btn btn-sm conn-retry" onClick={retryNow}>
          Retry now
        </button>
      </div>
    );
  }
  return (
    <div role="status" className={recoveredAt ? 'conn-banner conn-up' : 'sr-only'}>
      {recoveredAt ? (
        <div className="conn-text">
          <CheckIcon />
          <span>Reconnected: Z-AI is back.</span>
        </div>
      ) : null}
    </div>
  );
}

/** Whole seconds until a moment, updated every second; null for no moment. */
function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.ceil((at - now) / 1000);
}
