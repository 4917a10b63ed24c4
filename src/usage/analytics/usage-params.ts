/**
 * The parameters of the usage reads (list, summary, export): validation from a query string (on
 * the main thread, before anything reaches the analytics worker), and how the filters apply to
 * request rows (SQL) and to rollup series (in memory).
 */
import type { SelectQueryBuilder } from 'kysely';
import { invalidRequest } from '../../errors.js';
import type { Database, UsageEndpoint } from '../../store/schema.js';

export const ENDPOINTS: readonly UsageEndpoint[] = ['chat.completions', 'embeddings', 'messages', 'responses'];
export const STATUS_CLASSES = ['2xx', '4xx', '5xx'] as const;

export interface UsageFilter {
  keyId?: string;
  /** Matches the model requested or the model that served. */
  model?: string;
  provider?: string;
  endpoint?: UsageEndpoint;
  /** 2, 4 or 5: the status divided by 100. */
  statusClass?: number;
  /** Only requests this pool key served. */
  poolKeyId?: string;
}

export interface Period {
  since: number | undefined;
  until: number | undefined;
}

type Query = Record<string, string | undefined>;

function text(q: Query, name: string): string | undefined {
  const value = q[name];
  if (value === undefined || value === '') return undefined;
  if (value.length > 512) throw invalidRequest(`${name} is too long.`, name);
  return value;
}

export function parseTime(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms) || ms < 0 || ms > 8.64e15)
    throw invalidRequest(`${param} must be an ISO-8601 time (e.g. 2026-01-31T00:00:00Z).`, param);
  return ms;
}

export function parsePeriod(q: Query): Period {
  const since = parseTime(q.since, 'since');
  const until = parseTime(q.until, 'until');
  if (since !== undefined && until !== undefined && until < since)
    throw invalidRequest('until must not be before since.', 'until');
  return { since, until };
}

export function parseFilter(q: Query): UsageFilter {
  const filter: UsageFilter = {};
  const keyId = text(q, 'key_id');
  const model = text(q, 'model');
  const provider = text(q, 'provider');
  const endpoint = text(q, 'endpoint');
  const status = text(q, 'status_class');
  const poolKeyId = text(q, 'pool_key_id');
  if (keyId !== undefined) filter.keyId = keyId;
  if (poolKeyId !== undefined) filter.poolKeyId = poolKeyId;
  if (model !== undefined) filter.model = model;
  if (provider !== undefined) filter.provider = provider;
  if (endpoint !== undefined) {
    if (!(ENDPOINTS as readonly string[]).includes(endpoint))
      throw invalidRequest(`endpoint must be one of: ${ENDPOINTS.join(', ')}.`, 'endpoint');
    filter.endpoint = endpoint as UsageEndpoint;
  }
  if (status !== undefined) {
    if (!(STATUS_CLASSES as readonly string[]).includes(status))
      throw invalidRequest(`status_class must be one of: ${STATUS_CLASSES.join(', ')}.`, 'status_class');
    filter.statusClass = Number(status[0]);
  }
  return filter;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Time series bucket widths: each a whole number of the rollups' grains, aligned to UTC. */
export const BUCKETS: Readonly<Record<string, number>> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '1d': 24 * HOUR,
};
/** Buckets an automatic width aims at, and the most a summary returns. */
const AUTO_BUCKETS = 100;
export const MAX_BUCKETS = 2000;

export interface SummaryPeriod {
  since: number;
  until: number;
  bucketMs: number;
}

/** since (default: 24 hours before until), until (default: now) and bucket (default: fits ≤ 100). */
export function parseSummaryPeriod(q: Query, now: number): SummaryPeriod {
  const period = parsePeriod(q);
  const until = period.until ?? now;
  const since = period.since ?? until - 24 * HOUR;
  if (since > until) throw invalidRequest('since must not be after until.', 'since');
  const span = (width: number) => Math.ceil((until - Math.floor(since / width) * width) / width);
  const bucket = text(q, 'bucket');
  let bucketMs: number;
  if (bucket === undefined) {
    const widths = Object.values(BUCKETS);
    bucketMs = widths.find((w) => span(w) <= AUTO_BUCKETS) ?? (widths[widths.length - 1] as number);
  } else {
    const width = BUCKETS[bucket];
    if (width === undefined) throw invalidRequest(`bucket must be one of: ${Object.keys(BUCKETS).join(', ')}.`, 'bucket');
    bucketMs = width;
  }
  if (span(bucketMs) > MAX_BUCKETS)
    throw invalidRequest(
      `That period has more than ${MAX_BUCKETS} buckets of this width; choose a larger bucket or a shorter period.`,
      'bucket',
    );
  return { since, until, bucketMs };
}

export function parseLimit(q: Query, fallback: number, max: number): number {
  const raw = q.limit;
  const limit = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw invalidRequest(`limit must be an integer from 1 to ${max}.`, 'limit');
  return limit;
}

export function parseCursor(q: Query): { createdAt: number; id: string } | undefined {
  const cursor = q.cursor;
  if (cursor === undefined || cursor === '') return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = decoded.indexOf(':');
  const createdAt = Number(decoded.slice(0, sep));
  if (sep < 1 || !Number.isInteger(createdAt))
    throw invalidRequest('cursor is not valid; pass the next_cursor of the previous page.', 'cursor');
  return { createdAt, id: decoded.slice(sep + 1) };
}

/** Request rows of one account matching the filter (the period is the caller's). */
export function filterRows<O>(
  q: SelectQueryBuilder<Database, 'usage', O>,
  userId: string,
  f: UsageFilter,
): SelectQueryBuilder<Database, 'usage', O> {
  let out = q.where('user_id', '=', userId);
  if (f.keyId !== undefined) out = out.where('key_id', '=', f.keyId);
  const model = f.model;
  if (model !== undefined) out = out.where((eb) => eb.or([eb('model_requested', '=', model), eb('model_served', '=', model)]));
  if (f.provider !== undefined) out = out.where('provider', '=', f.provider);
  if (f.endpoint !== undefined) out = out.where('endpoint', '=', f.endpoint);
  if (f.statusClass !== undefined)
    out = out.where('status', '>=', f.statusClass * 100).where('status', '<', f.statusClass * 100 + 100);
  if (f.poolKeyId !== undefined) out = out.where('pool_key_id', '=', f.poolKeyId);
  return out;
}

export interface SeriesInfo {
  id: number;
  keyId: string;
  modelRequested: string;
  /** null when no model served. */
  modelServed: string | null;
  provider: string | null;
  endpoint: string;
  statusClass: number;
  /** null when no pool key served. */
  poolKeyId: string | null;
  unpriced: boolean;
}

export function seriesMatches(s: SeriesInfo, f: UsageFilter): boolean {
  return (
    (f.keyId === undefined || s.keyId === f.keyId) &&
    (f.model === undefined || s.modelRequested === f.model || s.modelServed === f.model) &&
    (f.provider === undefined || s.provider === f.provider) &&
    (f.endpoint === undefined || s.endpoint === f.endpoint) &&
    (f.statusClass === undefined || s.statusClass === f.statusClass) &&
    (f.poolKeyId === undefined || s.poolKeyId === f.poolKeyId)
  );
}
