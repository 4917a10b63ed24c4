/** The initial schema. Portable: the same builder calls produce SQLite and PostgreSQL DDL. */
import { type Kysely, type Migration } from 'kysely';

export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('providers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('base_url', 'text', (c) => c.notNull())
      .addColumn('key_ciphertext', 'text', (c) => c.notNull())
      .addColumn('key_hint', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('providers_user_name', ['user_id', 'name'])
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_hint', 'text', (c) => c.notNull())
      .addColumn('allowed_models', 'text', (c) => c.notNull())
      .addColumn('spend_cap_nano_usd', 'bigint')
      .addColumn('spent_nano_usd', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('fallback_model', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('api_keys_user').on('api_keys').column('user_id').execute();

    await db.schema
      .createTable('prices')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('input_micro_usd_per_mtok', 'bigint', (c) => c.notNull())
      .addColumn('output_micro_usd_per_mtok', 'bigint', (c) => c.notNull())
      .addColumn('cached_input_micro_usd_per_mtok', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('prices_pk', ['user_id', 'model'])
      .execute();

    await db.schema
      .createTable('usage')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('model_requested', 'text', (c) => c.notNull())
      .addColumn('model_served', 'text')
      .addColumn('provider', 'text')
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('prompt_tokens', 'integer', (c) => c.notNull())
      .addColumn('completion_tokens', 'integer', (c) => c.notNull())
      .addColumn('cached_tokens', 'integer', (c) => c.notNull())
      .addColumn('cost_nano_usd', 'bigint', (c) => c.notNull())
      .addColumn('latency_ms', 'integer', (c) => c.notNull())
      .addColumn('ttft_ms', 'integer')
      .addColumn('stream', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .execute();
    // Usage is read per account (and per key) newest first, paginated by (created_at, id).
    await db.schema.createIndex('usage_user_time').on('usage').columns(['user_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('usage_key_time').on('usage').columns(['key_id', 'created_at']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['usage', 'prices', 'api_keys', 'providers', 'sessions', 'users']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
