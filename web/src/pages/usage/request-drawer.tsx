/**
 * One request's details in a drawer (a modal dialog along the right edge): its outcome and error
 * message, every attempt of its fallback chain, its token classes and its cost's arithmetic, from
 * GET /api/usage/:id. Never a prompt or an answer: Z-AI does not keep them.
 */
import type { ReactNode } from 'react';
import { Badge, StatusBadge } from '../../components/badge';
import { Dialog } from '../../components/dialog';
import { InlineError } from '../../components/inline-error';
import { SkeletonLines } from '../../components/skeleton';
import { api } from '../../lib/api';
import { formatCount, formatDateTime, formatMs, formatPerMtok, formatUsd } from '../../lib/format';
import { linkClick } from '../../lib/router';
import type { CostClass, UsageDetail, UsageRecord } from '../../lib/types';
import { useAsync } from '../../lib/use-async';

/** A pool key's label and provider, when the key is known. */
export type PoolKeyName = (id: string) => { label: string; detail: string } | undefined;

const COST_CLASS: Record<CostClass, string> = {
  input: 'Input',
  cached_input: 'Cache read',
  cache_write_5m: 'Cache write (5 min)',
  cache_write_1h: 'Cache write (1 h)',
  output: 'Output',
};

interface RequestDrawerProps {
  /** The row as listed: shown at once, the attempts and the cost once the details load. */
  record: UsageRecord;
  keyName: (id: string) => string;
  poolKeyName: PoolKeyName;
  onClose: () => void;
}

export function RequestDrawer({ record, keyName, poolKeyName, onClose }: RequestDrawerProps) {
  const detail = useAsync(() => api.get<UsageDetail>(`/api/usage/${encodeURIComponent(record.id)}`), [record.id]);
  const r = detail.data ?? record;
  const failed = r.status >= 400;
  return (
    <Dialog
      title="Request details"
      description={
        <>
          {formatDateTime(r.created_at)} · <code className="small">{r.id}</code>
        </>
      }
      onClose={onClose}
      className="side-drawer"
    >
      <button type="button" className="btn btn-ghost btn-sm drawer-dismiss" onClick={onClose}>
        Close
      </button>

      <section className="drawer-section" aria-label="Outcome">
        <div className="outcome">
          <StatusBadge status={r.status} />
          {r.error_code ? (
            <code className="small">{r.error_code}</code>
          ) : (
            <span className="muted small">{failed ? '' : 'Answered'}</span>
          )}
        </div>
        {r.error_message ? (
          <p className={failed ? 'error-message' : 'muted small'}>
            <span className="sr-only">Error message: </span>
            {r.error_message}
          </p>
        ) : null}
        <dl className="facts">
          <Fact term="Key">{keyName(r.key_id)}</Fact>
          <Fact term="Endpoint">
            <code>{r.endpoint}</code>
            {r.stream ? <span className="pill">stream</span> : null}
          </Fact>
          <Fact term="Model requested">
            <code>{r.model_requested}</code>
          </Fact>
          <Fact term="Served by">
            {r.model_served ? <code>{r.model_served}</code> : <span className="muted">none</span>}
            {r.provider ? (
              <span className="muted">{r.model_served ? ` via ${r.provider}` : ` (last tried ${r.provider})`}</span>
            ) : null}
            {r.pool_key_id ? <span className="muted"> · key {poolKeyLabel(poolKeyName, r.pool_key_id)}</span> : null}
          </Fact>
          <Fact term="Latency">
            {formatMs(r.latency_ms)}
            {r.ttft_ms === null ? null : <span className="muted"> · first token {formatMs(r.ttft_ms)}</span>}
          </Fact>
        </dl>
      </section>

      <InlineError message={detail.error} />

      <section className="drawer-section" aria-labelledby="attempts-title">
        <h3 id="attempts-title" className="drawer-heading">
          Attempts
        </h3>
        {detail.data ? (
          <Attempts detail={detail.data} poolKeyName={poolKeyName} />
        ) : detail.error ? null : (
          <SkeletonLines lines={2} label="the attempts" />
        )}
      </section>

      <section className="drawer-section" aria-labelledby="tokens-title">
        <h3 id="tokens-title" className="drawer-heading">
          Tokens
        </h3>
        <dl className="facts facts-numbers">
          <Fact term="Input">{formatCount(r.prompt_tokens)}</Fact>
          <Fact term="Cache read">{formatCount(r.cached_tokens)}</Fact>
          <Fact term="Cache write">{formatCount(r.cache_write_tokens ?? 0)}</Fact>
          <Fact term="Output">{formatCount(r.completion_tokens)}</Fact>
          <Fact term="Reasoning">{formatCount(r.reasoning_tokens ?? 0)}</Fact>
        </dl>
        <p className="muted small">Input includes the cache reads and writes; output includes the reasoning.</p>
      </section>

      <section className="drawer-section" aria-labelledby="cost-title">
        <h3 id="cost-title" className="drawer-heading">
          Cost
        </h3>
        {detail.data ? <CostLines detail={detail.data} /> : detail.error ? null : <SkeletonLines lines={3} label="the cost" />}
      </section>

      <p className="muted small">Prompts and answers are never stored, so they cannot be shown.</p>
    </Dialog>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function poolKeyLabel(poolKeyName: PoolKeyName, id: string): string {
  return poolKeyName(id)?.label ?? id;
}

function Attempts({ detail, poolKeyName }: { detail: UsageDetail; poolKeyName: PoolKeyName }) {
  if (detail.attempt_log.length === 0)
    return <p className="muted small">No provider was called (the request was refused before any attempt).</p>;
  return (
    <ol className="attempts" aria-label="Attempts of the fallback chain">
      {detail.attempt_log.map((a, i) => (
        <li key={i} className="attempt">
          <div className="attempt-head">
            <span className="attempt-number">{i + 1}</span>
            <code className="small">{a.model}</code>
            <StatusBadge status={a.status} />
            <span className="muted small attempt-latency">{formatMs(a.latency_ms)}</span>
          </div>
          <div className="muted small">
            {a.provider ?? 'no provider'}
            {a.pool_key_id ? ` · key ${poolKeyLabel(poolKeyName, a.pool_key_id)}` : ''}
            {a.error_code ? (
              <>
                {' · '}
                <code>{a.error_code}</code>
              </>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

function CostLines({ detail }: { detail: UsageDetail }) {
  const { cost } = detail;
  if (!cost.priced) {
    const model = detail.model_served ?? detail.model_requested;
    const href = `/prices?model=${encodeURIComponent(model)}`;
    return (
      <p>
        — <Badge tone="warn">Unpriced</Badge> Z-AI has no price for <code>{model}</code>, so this request is not counted in the
        costs or against a cap.{' '}
        <a href={href} onClick={linkClick(href)}>
          Set a price
        </a>
      </p>
    );
  }
  if (cost.lines.length === 0)
    return (
      <p>
        {formatUsd(cost.total_micro_usd)}{' '}
        <span className="muted">
          {cost.total_micro_usd === 0 ? '— no tokens were billed.' : '— its line-by-line arithmetic was not recorded.'}
        </span>
      </p>
    );
  return (
    <table className="table table-compact cost-lines">
      <caption className="sr-only">Cost of each token class</caption>
      <thead>
        <tr>
          <th scope="col">Class</th>
          <th scope="col" className="num">
            Tokens
          </th>
          <th scope="col" className="num">
            × $ / M tokens
          </th>
          <th scope="col" className="num">
            = Cost
          </th>
        </tr>
      </thead>
      <tbody>
        {cost.lines.map((line) => (
          <tr key={line.class}>
            <th scope="row">{COST_CLASS[line.class]}</th>
            <td className="num">{formatCount(line.tokens)}</td>
            <td className="num">× {formatPerMtok(line.usd_per_mtok)}</td>
            <td className="num">{formatUsd(line.cost_micro_usd)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td className="num">{formatUsd(cost.total_micro_usd)}</td>
        </tr>
      </tfoot>
    </table>
  );
}
