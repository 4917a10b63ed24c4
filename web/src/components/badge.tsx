import type { ReactNode } from 'react';

export type Tone = 'neutral' | 'ok' | 'warn' | 'danger' | 'accent';

export function Badge({ tone = 'neutral', children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** An HTTP status as a coloured badge. */
export function StatusBadge({ status }: { status: number }) {
  const tone: Tone = status < 300 ? 'ok' : status < 500 ? 'warn' : 'danger';
  return <Badge tone={tone}>{status}</Badge>;
}
