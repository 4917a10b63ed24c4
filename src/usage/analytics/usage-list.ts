/**
 * `GET /api/usage` (one page of an account's request rows, newest first, keyset-paginated by
 * (created_at, id); totals once, on the first page, from the rollups) and `GET /api/usage/export`
 * (every row of a period, oldest first, as CSV, a page at a time). Run in the analytics worker.
 */
import type { UsageTable } from '../../store/schema.js';
import { decodeDetail, type RequestDetail } from '../usage-detail.js';
import { END_OF_TIME, summarize, type Sums } from './summary-engine.js';
import { filterRows, type UsageFilter } from './usage-params.js';
import type { Row, UsageReader } from './usage-reader.js';

export interface UsageRecord {
  id: string;
  created_at: string;
  key_id: string;
  model_requested: string;
  model_served: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  /** The same count as `cached_tokens` (cache reads), under the name beside the other classes. */
  cache_read_tokens: number;
  /** Cache writes (all durations), part of prompt_tokens. */
  cache_write_tokens: number;
  /** Reasoning tokens, part of completion_tokens. */
  reasoning_tokens: number;
  cost_micro_usd: number;
  /** Exact cost; `cost_micro_usd` is this rounded, so sub-micro requests still add up in totals. */
  cost_nano_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: boolean;
  attempts: number;
  endpoint: string;
  /** The pool key that served (its id, never the key); null when none did. */
  pool_key_id: string | null;
  /** Served by a model without a price: cost_micro_usd is 0 because the cost is unknown, not because it was free. */
  unpriced: boolean;
  /** What the client was told of a failure (at most 500 characters); null on success. */
  error_message: string | null;
}

/** `GET /api/usage/:id`: the row, every attempt it made and its cost line by line. */
export type UsageRecordDetail = UsageRecord & RequestDetail;

export type UsageTotals = Omit<Sums, 'errors'>;

export interface UsagePage {
  data: UsageRecord[];
  /** Over the whole filter; on the first page only (null on the pages a cursor asks for). */
  totals: UsageTotals | null;
  next_cursor: string | null;
}

export interface Cursor {
  createdAt: number;
  id: string;
}

export interface RowsRequest {
  userId: string;
  since: number | undefined;
  until: number | undefined;
  filter: UsageFilter;
}

/** The list's columns, in select order: the page, the export and the CSV header use them. */
const COLUMNS = [
  'id',
  'created_at',
  'key_id',
  'model_requested',
  'model_served',
  'provider',
  'status',
  'error_code',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost_nano_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'attempts',
  'endpoint',
  'cache_write_tokens',
  'reasoning_tokens',
  'pool_key_id',
  'unpriced',
  'error_message',
] as const satisfies ReadonlyArray<keyof UsageTable>;

function toRecord(r: Row): UsageRecord {
  const cost = Number(r[11]);
  return {
    id: String(r[0]),
    created_at: new Date(Number(r[1])).toISOString(),
    key_id: String(r[2]),
    model_requested: String(r[3]),
    model_served: r[4] === null ? null : String(r[4]),
    provider: r[5] === null ? null : String(r[5]),
    status: Number(r[6]),
    error_code: r[7] === null ? null : String(r[7]),
    prompt_tokens: Number(r[8]),
    completion_tokens: Number(r[9]),
    cached_tokens: Number(r[10]),
    cache_read_tokens: Number(r[10]),
    cache_write_tokens: Number(r[17]),
    reasoning_tokens: Number(r[18]),
    cost_micro_usd: Math.round(cost / 1000),
    cost_nano_usd: cost,
    latency_ms: Number(r[12]),
    ttft_ms: r[13] === null ? null : Number(r[13]),
    stream: Number(r[14]) === 1,
    attempts: Number(r[15]),
    endpoint: String(r[16]),
    pool_key_id: r[19] === null ? null : String(r[19]),
    unpriced: Number(r[20]) === 1,
    error_message: r[21] === null ? null : String(r[21]),
  };
}

function rowsQuery(reader: UsageReader, req: RowsRequest) {
  let q = filterRows(reader.q.selectFrom('usage').select(COLUMNS), req.userId, req.filter);
  if (req.since !== undefined) q = q.where('created_at', '>=', req.since);
  if (req.until !== undefined) q = q.where('created_at', '<', req.until);
  return q;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt}:${c.id}`, 'utf8').toString('base64url');
}

export async function listPage(
  reader: UsageReader,
  req: RowsRequest & { limit: number; cursor: Cursor | undefined },
): Promise<UsagePage> {
  return reader.snapshot(async (run) => {
    let q = rowsQuery(reader, req);
    const c = req.cursor;
    if (c !== undefined)
      q = q.where((eb) =>
        eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]),
      );
    const rows = await run(
      q
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(req.limit + 1),
    );
    let totals: UsageTotals | null = null;
    if (c === undefined) {
      const summary = await summarize(reader, run, {
        userId: req.userId,
        since: req.since ?? 0,
        until: req.until ?? END_OF_TIME,
        bucketMs: undefined,
        filter: req.filter,
        percentiles: false,
      });
      const { requests, prompt_tokens, completion_tokens, cached_tokens, cost_nano_usd, cost_micro_usd, unpriced_requests } =
        summary.totals;
      totals = { requests, prompt_tokens, completion_tokens, cached_tokens, cost_micro_usd, cost_nano_usd, unpriced_requests };
    }
    const data = rows.slice(0, req.limit).map(toRecord);
    const last = rows.length > req.limit ? rows[req.limit - 1] : undefined;
    return {
      data,
      totals,
      next_cursor: last === undefined ? null : encodeCursor({ createdAt: Number(last[1]), id: String(last[0]) }),
    };
  });
}

/** One row of the account with its details; undefined for an unknown id or another account's row. */
export async function requestDetail(
  reader: UsageReader,
  req: { userId: string; id: string },
): Promise<UsageRecordDetail | undefined> {
  return reader.snapshot(async (run) => {
    const rows = await run(
      reader.q
        .selectFrom('usage')
        .select([...COLUMNS, 'detail'])
        .where('id', '=', req.id)
        .where('user_id', '=', req.userId),
    );
    const r = rows[0];
    if (r === undefined) return undefined;
    const record = toRecord(r);
    const detail = r[COLUMNS.length];
    const { attempt_log, cost } = decodeDetail(typeof detail === 'string' ? detail : null, {
      unpriced: record.unpriced,
      costMicroUsd: record.cost_micro_usd,
    });
    return { ...record, attempt_log, cost };
  });
}

/** Columns of the CSV export: the list's, in its order. */
export const CSV_HEADER = [
  'id',
  'created_at',
  'key_id',
  'endpoint',
  'model_requested',
  'model_served',
  'provider',
  'status',
  'error_code',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cost_micro_usd',
  'cost_nano_usd',
  'latency_ms',
  'ttft_ms',
  'stream',
  'attempts',
  'cache_write_tokens',
  'reasoning_tokens',
  'pool_key_id',
  'unpriced',
  'error_message',
] as const satisfies ReadonlyArray<keyof UsageRecord>;

/**
 * A text cell as RFC 4180 wants it. Model names, key ids and error codes come from members: a
 * cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a quote.
 */
export function csvText(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvLine(r: UsageRecord): string {
  return [
    csvText(r.id),
    r.created_at,
    csvText(r.key_id),
    csvText(r.endpoint),
    csvText(r.model_requested),
    csvText(r.model_served),
    csvText(r.provider),
    r.status,
    csvText(r.error_code),
    r.prompt_tokens,
    r.completion_tokens,
    r.cached_tokens,
    r.cost_micro_usd,
    r.cost_nano_usd,
    r.latency_ms,
    r.ttft_ms ?? '',
    r.stream,
    r.attempts,
    r.cache_write_tokens,
    r.reasoning_tokens,
    csvText(r.pool_key_id),
    r.unpriced,
    csvText(r.error_message),
  ].join(',');
}

export interface ExportPage {
  csv: string;
  rows: number;
  /** Where the next page starts; null after the last. */
  next: Cursor | null;
}

/** One page of the export, oldest first, after `after`; the first page starts with the header. */
export async function exportPage(
  reader: UsageReader,
  req: RowsRequest & { after: Cursor | undefined; limit: number },
): Promise<ExportPage> {
  return reader.snapshot(async (run) => {
    let q = rowsQuery(reader, req);
    const a = req.after;
    if (a !== undefined)
      q = q.where((eb) =>
        eb.or([eb('created_at', '>', a.createdAt), eb.and([eb('created_at', '=', a.createdAt), eb('id', '>', a.id)])]),
      );
    const rows = await run(q.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(req.limit));
    let csv = a === undefined ? `${CSV_HEADER.join(',')}\r\n` : '';
    for (const r of rows) csv += `${csvLine(toRecord(r))}\r\n`;
    const last = rows[rows.length - 1];
    return {
      csv,
      rows: rows.length,
      next: rows.length < req.limit || last === undefined ? null : { createdAt: Number(last[1]), id: String(last[0]) },
    };
  });
}

/** The admin's accounts view: every account's requests and cost, all time, from the rollups. */
export async function accountTotals(
  reader: UsageReader,
): Promise<Array<{ user_id: string; requests: number; cost_nano_usd: number }>> {
  return reader.snapshot(async (run) => {
    const users = await run(reader.q.selectFrom('usage_series').select('user_id').distinct());
    const out: Array<{ user_id: string; requests: number; cost_nano_usd: number }> = [];
    for (const [userId] of users) {
      const s = await summarize(reader, run, {
        userId: String(userId),
        since: 0,
        until: END_OF_TIME,
        bucketMs: undefined,
        filter: {},
        percentiles: false,
      });
      out.push({ user_id: String(userId), requests: s.totals.requests, cost_nano_usd: s.totals.cost_nano_usd });
    }
    return out;
  });
}
