/**
 * Accounts an admin disabled (`users.disabled_at`: no log-in, no session, no working Z-AI key) and
 * each provider connection's last Test result (`providers.last_check`, JSON), so the dashboard
 * shows the status the provider last answered rather than "connected" for a key it rejected.
 */
import type { Kysely, Migration } from 'kysely';

export const accountStatusAndProviderChecks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').addColumn('disabled_at', 'bigint').execute();
    await db.schema.alterTable('providers').addColumn('last_check', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('users').dropColumn('disabled_at').execute();
    await db.schema.alterTable('providers').dropColumn('last_check').execute();
  },
};
