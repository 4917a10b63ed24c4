/**
 * What the key form checks before it saves: each allowed model (or pattern) and each fallback
 * against the account's providers, its models, the prices known and the cap. Warnings, not
 * refusals: the server accepts such a key, but it would refuse or fail some requests.
 */
import { plural } from './format';
import { isModelAllowed } from './models';
import type { PriceOf } from './pricing';
import type { ProviderRecord } from './types';

export interface KeyWarning {
  model: string;
  message: string;
  /** What the warning links to: set a price for this model, or connect a provider. */
  fix?: { kind: 'price'; model: string } | { kind: 'provider' };
}

export interface KeyCheckInput {
  /** Allowed models (exact strings or patterns ending in *) or fallbacks (always exact). */
  entries: readonly string[];
  /** Whether the key has a spend cap (which refuses unpriced models). */
  capped: boolean;
  providers: readonly ProviderRecord[];
  models: readonly string[];
  priceOf: PriceOf;
}

export function checkKeyModels({ entries, capped, providers, models, priceOf }: KeyCheckInput): KeyWarning[] {
  const names = new Set(providers.map((p) => p.name));
  const warnings: KeyWarning[] = [];
  for (const entry of entries) {
    const slash = entry.indexOf('/');
    const name = slash > 0 ? entry.slice(0, slash) : '';
    if (entry !== '*' && !names.has(name)) {
      warnings.push({
        model: entry,
        message: `no provider connected for ${name || entry}/…: requests to it fail until you connect one.`,
        fix: { kind: 'provider' },
      });
      continue;
    }
    if (entry.endsWith('*')) {
      const matched = models.filter((m) => isModelAllowed([entry], m));
      if (matched.length === 0) {
        warnings.push({ model: entry, message: 'matches none of the models your providers list.' });
      } else if (capped) {
        const unpriced = matched.filter((m) => priceOf(m) === undefined).length;
        if (unpriced > 0) {
          warnings.push({
            model: entry,
            message: `${unpriced} of ${plural(matched.length, 'model')} it matches ${unpriced === 1 ? 'has' : 'have'} no price: a capped key will refuse ${unpriced === 1 ? 'it' : 'them'}.`,
          });
        }
      }
      continue;
    }
    if (capped && priceOf(entry) === undefined) {
      warnings.push({ model: entry, message: 'no price: a capped key will refuse it.', fix: { kind: 'price', model: entry } });
    } else if (!models.includes(entry)) {
      warnings.push({ model: entry, message: `${name} does not list this model: check the spelling.` });
    }
  }
  return warnings;
}
