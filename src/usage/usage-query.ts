/**
 * `GET /api/usage`: an account's usage rows newest first, with filters, totals over the whole
 * filter and an opaque cursor (created_at, id) for the next page.
 */
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { invalidRequest } from '../errors.js';
import type { Database, UsageTable } from '../store/schema.js';

export interface UsageFilter {
  keyId?: string | undefined;
  model?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  limit?: string | undefined;
  cursor?: string | undefined;
}

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
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_micro_usd: number;
  /** Exact cost; `cost_micro_usd` is this rounded, so sub-micro requests still add up in totals. */
  cost_nano_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: boolean;
  attempts: number;
  endpoint: string;
}

export interface UsagePage {
  data: UsageRecord[];
  totals: {
    requests: number;
    prompt_tokens: number;
    completion_tokens: number;
    cached_tokens: number;
    cache_read_tokens: number;
    cache_write_tokens: number;
    reasoning_tokens: number;
    cost_micro_usd: number;
    cost_nano_usd: number;
  };
  next_cursor: string | null;
}

function time(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw invalidRequest(`${param} must be an ISO-8601 time (e.g. 2026-01-31T00:00:00Z).`, param);
  return ms;
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf(':');
  const createdAt = Number(text.slice(0, sep));
  if (sep < 1 || !Number.isInteger(createdAt))
    throw invalidRequest('cursor is not valid; pass the next_cursor of the previous page.', 'cursor');
  return { createdAt, id: text.slice(sep + 1) };
}

function toRecord(row: UsageTable): UsageRecord {
  return {
    id: row.id,
    created_at: new Date(row.created_at).toISOString(),
    key_id: row.key_id,
    model_requested: row.model_requested,
    model_served: row.model_served,
    provider: row.provider,
    status: row.status,
    error_code: row.error_code,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    cached_tokens: row.cached_tokens,
    cache_read_tokens: row.cached_tokens,
    cache_write_tokens: row.cache_write_tokens,
    reasoning_tokens: row.reasoning_tokens,
    cost_micro_usd: Math.round(row.cost_nano_usd / 1000),
    cost_nano_usd: row.cost_nano_usd,
    latency_ms: row.latency_ms,
    ttft_ms: row.ttft_ms,
    stream: row.stream === 1,
    attempts: row.attempts,
    endpoint: row.endpoint,
  };
}

/** One page of usage for an account (or, with userId undefined, every account: admins). */
export async function queryUsage(db: Kysely<Database>, userId: string | undefined, filter: UsageFilter): Promise<UsagePage> {
  const since = time(filter.since, 'since');
  const until = time(filter.until, 'until');
  const limit = filter.limit === undefined || filter.limit === '' ? 50 : Number(filter.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalidRequest('limit must be an integer from 1 to 1000.', 'limit');

  const filtered = <O>(q: SelectQueryBuilder<Database, 'usage', O>): SelectQueryBuilder<Database, 'usage', O> => {
    let out = q;
    if (userId !== undefined) out = out.where('user_id', '=', userId);
    if (filter.keyId) out = out.where('key_id', '=', filter.keyId);
    if (filter.model) {
      const model = filter.model;
      out = out.where((eb) => eb.or([eb('model_requested', '=', model), eb('model_served', '=', model)]));
    }
    if (since !== undefined) out = out.where('created_at', '>=', since);
    if (until !== undefined) out = out.where('created_at', '<', until);
    return out;
  };

  let page = filtered(db.selectFrom('usage').selectAll());
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor);
    page = page.where((eb) =>
      eb.or([eb('created_at', '<', c.createdAt), eb.and([eb('created_at', '=', c.createdAt), eb('id', '<', c.id)])]),
    );
  }
  const rows = await page
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
  const totals = await filtered(
    db
      .selectFrom('usage')
      .select((eb) => [
        eb.fn.countAll<number>().as('requests'),
        eb.fn.sum<number>('prompt_tokens').as('prompt_tokens'),
        eb.fn.sum<number>('completion_tokens').as('completion_tokens'),
        eb.fn.sum<number>('cached_tokens').as('cached_tokens'),
        eb.fn.sum<number>('cache_write_tokens').as('cache_write_tokens'),
        eb.fn.sum<number>('reasoning_tokens').as('reasoning_tokens'),
        eb.fn.sum<number>('cost_nano_usd').as('cost'),
      ]),
  ).executeTakeFirstOrThrow();

  const hasMore = rows.length > limit;
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const costNano = Number(totals.cost ?? 0);
  return {
    data: data.map(toRecord),
    totals: {
      requests: Number(totals.requests),
      prompt_tokens: Number(totals.prompt_tokens ?? 0),
      completion_tokens: Number(totals.completion_tokens ?? 0),
      cached_tokens: Number(totals.cached_tokens ?? 0),
      cache_read_tokens: Number(totals.cached_tokens ?? 0),
      cache_write_tokens: Number(totals.cache_write_tokens ?? 0),
      reasoning_tokens: Number(totals.reasoning_tokens ?? 0),
      cost_micro_usd: Math.round(costNano / 1000),
      cost_nano_usd: costNano,
    },
    next_cursor: hasMore && last ? Buffer.from(`${last.created_at}:${last.id}`, 'utf8').toString('base64url') : null,
  };
}
