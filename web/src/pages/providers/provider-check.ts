/** What a connection's last Test says, in a few words: the card's status is the provider's answer. */
import type { Tone } from '../../components/badge';
import type { ProviderCheck, ProviderRecord } from '../../lib/types';

export function checkLabel(check: ProviderCheck): string {
  if (check.ok) return 'Working';
  if (check.status === null) return 'Unreachable';
  if (check.status === 401 || check.status === 403) return `Key rejected (${check.status})`;
  if (check.status === 429) return 'Rate limited (429)';
  if (check.status === 404) return 'Not found (404): check the base URL';
  return `Failed (${check.status})`;
}

/** The card's badge: the first failing connection, else "Working" when all were tested, else "Connected". */
export function cardStatus(connections: readonly ProviderRecord[]): { label: string; tone: Tone } | null {
  if (connections.length === 0) return null;
  const failing = connections.find((c) => c.last_check && !c.last_check.ok);
  if (failing?.last_check) return { label: checkLabel(failing.last_check), tone: 'danger' };
  if (connections.every((c) => c.last_check?.ok)) return { label: 'Working', tone: 'ok' };
  return { label: 'Connected, not tested', tone: 'neutral' };
}
