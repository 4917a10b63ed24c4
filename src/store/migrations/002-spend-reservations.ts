/**
 * Spend reservations held in the database, for several replicas on PostgreSQL without Redis.
 * Each has an expiry so that one left by a crashed replica stops counting against the cap.
 */
import type { Kysely, Migration } from 'kysely';

export const spendReservations: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('spend_reservations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('key_id', 'text', (c) => c.notNull())
      .addColumn('amount_nano_usd', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('spend_reservations_key').on('spend_reservations').columns(['key_id', 'expires_at']).execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('spend_reservations').execute();
  },
};
