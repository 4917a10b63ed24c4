import { useId, type ReactNode } from 'react';

export function ChartCard({ title, summary, wide, children }: { title: string; summary: string; wide?: boolean; children: ReactNode }) {
  const id = useId();
  return (
    <figure className={wide ? 'card chart-card chart-wide' : 'card chart-card'} aria-labelledby={id}>
      <figcaption className="chart-head">
        <span id={id} className="card-title">
          {title}
        </span>
        <span className="chart-summary">{summary}</span>
      </figcaption>
      <div className="chart-body">{children}</div>
    </figure>
  );
}
