/** Which API each usage row came in through: chat.completions, embeddings, messages or responses. */
import type { Kysely, Migration } from 'kysely';

export const usageEndpoint: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .alterTable('usage')
      .addColumn('endpoint', 'text', (c) => c.notNull().defaultTo('chat.completions'))
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('usage').dropColumn('endpoint').execute();
  },
};
