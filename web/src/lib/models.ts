/** Model strings: allow-list matching (same rule as the gateway) and picker suggestions. */
import type { Model, ProviderRecord } from './types';

export function isModelAllowed(patterns: readonly string[], model: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((p) => (p.endsWith('*') ? model.startsWith(p.slice(0, -1)) : model === p));
}

/** Suggestions for allow-lists and fallbacks: every model, plus a `name/*` wildcard per provider. */
export function modelSuggestions(
  models: readonly Model[],
  providers: readonly ProviderRecord[],
  withWildcards: boolean,
): string[] {
  const wildcards = withWildcards ? providers.map((p) => `${p.name}/*`) : [];
  return [...new Set([...wildcards, ...models.map((m) => m.id)])];
}

export function fallbackList(value: string | string[] | null): string[] {
  if (value === null) return [];
  return Array.isArray(value) ? value : [value];
}
