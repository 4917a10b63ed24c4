/**
 * Provider key pools: a provider entry holds one or more keys (`provider_keys`, Fernet ciphertext
 * plus hint, label, weight, enabled). Each entry's existing key becomes its first pool key and
 * leaves `providers`, so no copy of a key stays behind where rotation would not reach it. Also
 * `providers.affinity` (prompt-cache affinity) and `usage.pool_key_id` (which pool key served).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const providerKeyPools: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('provider_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('key_ciphertext', 'text', (c) => c.notNull())
      .addColumn('key_hint', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('provider_keys_provider').on('provider_keys').column('provider_id').execute();
    await db.schema.createIndex('provider_keys_user').on('provider_keys').column('user_id').execute();
    await sql`INSERT INTO provider_keys (id, provider_id, user_id, key_ciphertext, key_hint, label, weight, enabled, created_at, updated_at)
      SELECT 'pky_' || id, id, user_id, key_ciphertext, key_hint, '', 1, 1, created_at, updated_at FROM providers`.execute(db);
    await db.schema.alterTable('providers').dropColumn('key_ciphertext').execute();
    await db.schema.alterTable('providers').dropColumn('key_hint').execute();
    await db.schema
      .alterTable('providers')
      .addColumn('affinity', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('usage').addColumn('pool_key_id', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('usage').dropColumn('pool_key_id').execute();
    await db.schema.alterTable('providers').dropColumn('affinity').execute();
    await db.schema
      .alterTable('providers')
      .addColumn('key_ciphertext', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .alterTable('providers')
      .addColumn('key_hint', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    // Back to one key per entry: its first pool key.
    await sql`UPDATE providers SET
      key_ciphertext = (SELECT k.key_ciphertext FROM provider_keys k WHERE k.provider_id = providers.id ORDER BY k.created_at, k.id LIMIT 1),
      key_hint = (SELECT k.key_hint FROM provider_keys k WHERE k.provider_id = providers.id ORDER BY k.created_at, k.id LIMIT 1)`.execute(
      db,
    );
    await db.schema.dropTable('provider_keys').execute();
  },
};
