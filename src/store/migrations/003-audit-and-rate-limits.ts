/** The audit log of management actions, and an optional per-key requests-per-minute limit. */
import type { Kysely, Migration } from 'kysely';

export const auditAndRateLimits: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('client_address', 'text')
      .execute();
    await db.schema.createIndex('audit_log_user_time').on('audit_log').columns(['user_id', 'created_at']).execute();
    await db.schema.alterTable('api_keys').addColumn('rate_limit_rpm', 'integer').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('audit_log').execute();
    await db.schema.alterTable('api_keys').dropColumn('rate_limit_rpm').execute();
  },
};
