import { useId, type ReactNode } from 'react';
import { SkeletonLines } from '../../components/skeleton';

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

export const CHART_TITLES = ['Cost', 'Requests', 'Tokens', 'Latency'] as const;

/** The four chart cards, titled, while the summary (or the charts' code) loads. */
export function ChartSkeletons() {
  return (
    <div className="chart-grid">
      {CHART_TITLES.map((title, i) => (
        <div key={title} className="card chart-card">
          <div className="chart-head">
            <span className="card-title">{title}</span>
          </div>
          <div className="chart-body chart-body-loading">
            <SkeletonLines lines={5} label={i === 0 ? 'the charts' : undefined} />
          </div>
        </div>
      ))}
    </div>
  );
}
