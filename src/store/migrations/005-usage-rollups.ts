/**
 * Usage rollups: what the usage summary reads instead of every request row.
 *
 * - `usage_series`: one row per distinct (account, key, model requested, model served, provider,
 *   endpoint, status class); rollups refer to it by a small integer id. Absent values are ''.
 * - `usage_minute_rollups`: per series and minute, written with the request rows: request count,
 *   token and cost sums, latency and TTFT sums and histograms.
 * - `usage_rollup_packs`: per account and hour or day, compacted from the minutes: the same sums of
 *   every series of the account, packed into one value (usage/rollup-pack.ts), so a month is read
 *   as thirty rows whatever the number of series.
 * - `usage_rollup_progress`: per account, the time before which hours and days are compacted.
 * - `usage_rollup_state`: `built`, set once rollups cover every request row (see usage/rollup-rebuild).
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

export const usageRollups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    const blob = postgres ? 'bytea' : 'blob';
    await db.schema
      .createTable('usage_series')
      .addColumn('id', 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('model_requested', 'text', (c) => c.notNull())
      .addColumn('model_served', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('status_class', 'integer', (c) => c.notNull())
      .addUniqueConstraint('usage_series_dims', [
        'user_id',
        'key_id',
        'model_requested',
        'model_served',
        'provider',
        'endpoint',
        'status_class',
      ])
      .execute();

    const minutes = db.schema
      .createTable('usage_minute_rollups')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('series_id', 'integer', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull())
      .addColumn('prompt_tokens', 'bigint', (c) => c.notNull())
      .addColumn('completion_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cached_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cost_nano_usd', 'bigint', (c) => c.notNull())
      .addColumn('latency_ms_sum', 'bigint', (c) => c.notNull())
      .addColumn('ttft_count', 'bigint', (c) => c.notNull())
      .addColumn('ttft_ms_sum', 'bigint', (c) => c.notNull())
      .addColumn('latency_hist', sql.raw(blob), (c) => c.notNull())
      .addColumn('ttft_hist', sql.raw(blob), (c) => c.notNull())
      .addPrimaryKeyConstraint('usage_minute_rollups_pk', ['user_id', 'bucket_start', 'series_id']);
    // SQLite: the table is its primary key's B-tree, so a period's rows are read in one range.
    await (postgres ? minutes : minutes.modifyEnd(sql`without rowid`)).execute();

    await db.schema
      .createTable('usage_rollup_packs')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('grain', 'integer', (c) => c.notNull())
      .addColumn('bucket_start', 'bigint', (c) => c.notNull())
      .addColumn('body', sql.raw(blob), (c) => c.notNull())
      .addPrimaryKeyConstraint('usage_rollup_packs_pk', ['user_id', 'grain', 'bucket_start'])
      .execute();

    await db.schema
      .createTable('usage_rollup_progress')
      .addColumn('user_id', 'text', (c) => c.primaryKey())
      .addColumn('compacted_until', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('usage_rollup_state')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'usage_rollup_state',
      'usage_rollup_progress',
      'usage_rollup_packs',
      'usage_minute_rollups',
      'usage_series',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
