import { useId, type ReactNode } from 'react';

export function ChartCard({ title, summary, children }: { title: string; summary: string; children: ReactNode }) {
  const id = useId();
  return (
    <figure className="card chart-card" aria-labelledby={id}>
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
