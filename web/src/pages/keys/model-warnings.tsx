/** The key form's warnings under a model list, each with what fixes it: set a price, or connect a provider. */
import { AlertIcon } from '../../components/icons';
import type { KeyWarning } from '../../lib/key-checks';
import { linkClick } from '../../lib/router';

interface ModelWarningsProps {
  label: string;
  warnings: KeyWarning[];
  onSetPrice: (model: string) => void;
}

export function ModelWarnings({ label, warnings, onSetPrice }: ModelWarningsProps) {
  // Always rendered, so that screen readers announce warnings as they appear.
  return (
    <div className="model-warnings" role="status" aria-label={`Warnings about the ${label.toLowerCase()}`}>
      {warnings.length > 0 ? (
        <ul>
          {warnings.map((w) => (
            <li key={`${w.model}:${w.message}`} className="model-warning">
              <AlertIcon />
              <span>
                <code>{w.model}</code>: {w.message}{' '}
                {w.fix?.kind === 'price' ? (
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => onSetPrice(w.model)}
                    aria-label={`Set price for ${w.model}`}
                  >
                    Set price
                  </button>
                ) : null}
                {w.fix?.kind === 'provider' ? (
                  <a href="/providers" onClick={linkClick('/providers')}>
                    Connect a provider
                  </a>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
