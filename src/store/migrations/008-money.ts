/**
 * Money, exactly: cache-write prices, cache-write and reasoning counts on usage rows, budget
 * periods (with spend kept per key and period), a tokens-per-minute limit per key, and the
 * deployment's imported price catalog.
 * SQLite adds one column per statement, so each column is its own ALTER.
 */
import type { Kysely, Migration } from 'kysely';

export const money: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('prices').addColumn('cache_write_5m_micro_usd_per_mtok', 'bigint').execute();
    await db.schema.alterTable('prices').addColumn('cache_write_1h_micro_usd_per_mtok', 'bigint').execute();
    await db.schema
      .alterTable('usage')
      .addColumn('cache_write_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('usage')
      .addColumn('reasoning_tokens', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('api_keys')
      .addColumn('budget_period', 'text', (c) => c.notNull().defaultTo('total'))
      .execute();
    await db.schema.alterTable('api_keys').addColumn('rate_limit_tpm', 'integer').execute();
    // Spend of a key with a budget period, one row per period (its start, epoch ms UTC).
    await db.schema
      .createTable('key_period_spend')
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('spent_nano_usd', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('key_period_spend_pk', ['key_id', 'period_start'])
      .execute();
    // Prices imported for the whole deployment (LiteLLM format), over the shipped catalog.
    await db.schema
      .createTable('catalog_prices')
      .addColumn('model', 'text', (c) => c.primaryKey())
      .addColumn('input_micro_usd_per_mtok', 'bigint', (c) => c.notNull())
      .addColumn('output_micro_usd_per_mtok', 'bigint', (c) => c.notNull())
      .addColumn('cached_input_micro_usd_per_mtok', 'bigint')
      .addColumn('cache_write_5m_micro_usd_per_mtok', 'bigint')
      .addColumn('cache_write_1h_micro_usd_per_mtok', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // The period a reservation counts against (0: the key's total budget).
    await db.schema
      .alterTable('spend_reservations')
      .addColumn('period_start', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('spend_reservations').dropColumn('period_start').execute();
    await db.schema.dropTable('catalog_prices').execute();
    await db.schema.dropTable('key_period_spend').execute();
    await db.schema.alterTable('api_keys').dropColumn('rate_limit_tpm').execute();
    await db.schema.alterTable('api_keys').dropColumn('budget_period').execute();
    await db.schema.alterTable('usage').dropColumn('reasoning_tokens').execute();
    await db.schema.alterTable('usage').dropColumn('cache_write_tokens').execute();
    await db.schema.alterTable('prices').dropColumn('cache_write_1h_micro_usd_per_mtok').execute();
    await db.schema.alterTable('prices').dropColumn('cache_write_5m_micro_usd_per_mtok').execute();
  },
};
