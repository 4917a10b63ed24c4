/**
 * Usage details: per request row `unpriced` (served by a model without a price), `error_message`
 * (what the client was told) and `detail` (compact JSON of the attempts and the cost arithmetic);
 * per rollup series two more dimensions, the pool key that served and `unpriced`, so the summary
 * can break usage down by pool key and count unpriced requests from the rollups alone.
 *
 * Existing series keep their ids (and so every rollup its series) with pool key '' and unpriced 0:
 * rows written before this migration are summed as "no pool key", until `zai usage rebuild-rollups`
 * sums them again from their rows. SQLite cannot change a table's unique constraint, so there the
 * series table is copied into a new one.
 */
import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

const DIMS = ['user_id', 'key_id', 'model_requested', 'model_served', 'provider', 'endpoint', 'status_class'] as const;

export const usageDetails: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .alterTable('usage')
      .addColumn('unpriced', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('usage').addColumn('error_message', 'text').execute();
    await db.schema.alterTable('usage').addColumn('detail', 'text').execute();

    if (postgres) {
      await db.schema
        .alterTable('usage_series')
        .addColumn('pool_key_id', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('usage_series')
        .addColumn('unpriced', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('usage_series').dropConstraint('usage_series_dims').execute();
      await db.schema
        .alterTable('usage_series')
        .addUniqueConstraint('usage_series_dims', [...DIMS, 'pool_key_id', 'unpriced'])
        .execute();
      return;
    }
    await db.schema
      .createTable('usage_series_010')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('model_requested', 'text', (c) => c.notNull())
      .addColumn('model_served', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('endpoint', 'text', (c) => c.notNull())
      .addColumn('status_class', 'integer', (c) => c.notNull())
      .addColumn('pool_key_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('unpriced', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('usage_series_dims', [...DIMS, 'pool_key_id', 'unpriced'])
      .execute();
    await sql`INSERT INTO usage_series_010 (id, user_id, key_id, model_requested, model_served, provider, endpoint, status_class, pool_key_id, unpriced)
      SELECT id, user_id, key_id, model_requested, model_served, provider, endpoint, status_class, '', 0 FROM usage_series`.execute(
      db,
    );
    await db.schema.dropTable('usage_series').execute();
    await db.schema.alterTable('usage_series_010').renameTo('usage_series').execute();
  },

  /**
   * Series that differ only by pool key or unpriced cannot be merged back inside the packs: the
   * rollups are emptied (with the series table as migration 005 made it) and built again from the
   * request rows at the next start.
   */
  async down(db: Kysely<unknown>): Promise<void> {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    for (const table of ['usage_minute_rollups', 'usage_rollup_packs', 'usage_rollup_progress']) {
      await sql`DELETE FROM ${sql.table(table)}`.execute(db);
    }
    await sql`DELETE FROM usage_rollup_state WHERE name = 'built'`.execute(db);
    await db.schema.dropTable('usage_series').execute();
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
      .addUniqueConstraint('usage_series_dims', [...DIMS])
      .execute();
    await db.schema.alterTable('usage').dropColumn('detail').execute();
    await db.schema.alterTable('usage').dropColumn('error_message').execute();
    await db.schema.alterTable('usage').dropColumn('unpriced').execute();
  },
};
