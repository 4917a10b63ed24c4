/**
 * `zai rotate-encryption-key`: re-encrypts every stored provider key (every key of every pool) under the first key of
 * PROVIDER_KEY_ENCRYPTION_KEY, in batches, online. Each row is updated only if it still holds the
 * ciphertext that was read, so a key pasted meanwhile is never overwritten; a rerun skips rows that
 * are already current, so it is safe to interrupt. Prints counts, never keys.
 */
import type { Kysely } from 'kysely';
import type { Vault } from '../keys/vault.js';
import type { Database } from '../store/schema.js';

export interface RotationCounts {
  scanned: number;
  rotated: number;
  alreadyCurrent: number;
  changedMeanwhile: number;
  unreadable: number;
}

export async function rotateEncryptionKey(db: Kysely<Database>, vault: Vault, batchSize = 100): Promise<RotationCounts> {
  const counts: RotationCounts = { scanned: 0, rotated: 0, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: 0 };
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('provider_keys')
      .select(['id', 'key_ciphertext'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(batchSize)
      .execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      counts.scanned += 1;
      let next: { token: string; changed: boolean };
      try {
        next = vault.rotate(row.key_ciphertext);
      } catch {
        counts.unreadable += 1;
        continue;
      }
      if (!next.changed) {
        counts.alreadyCurrent += 1;
        continue;
      }
      const result = await db
        .updateTable('provider_keys')
        .set({ key_ciphertext: next.token })
        .where('id', '=', row.id)
        .where('key_ciphertext', '=', row.key_ciphertext)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) counts.rotated += 1;
      else counts.changedMeanwhile += 1;
    }
    after = rows[rows.length - 1]?.id ?? after;
  }
  return counts;
}
