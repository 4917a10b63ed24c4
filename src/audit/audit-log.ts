/**
 * The audit log of management actions (provider added / replaced / removed, key created /
 * changed / revoked, cap changed): who, what, when — never a key, only names and hints.
 */
import type { Kysely } from 'kysely';
import { newId } from '../crypto/secrets.js';
import type { Database } from '../store/schema.js';

export type AuditAction =
  | 'provider.created'
  | 'provider.key_replaced'
  | 'provider.updated'
  | 'provider.removed'
  | 'key.created'
  | 'key.updated'
  | 'key.cap_changed'
  | 'key.revoked';

export interface AuditEntry {
  id: string;
  created_at: string;
  user_id: string;
  action: AuditAction;
  target_id: string | null;
  details: Record<string, unknown>;
  client_address: string | null;
}

export interface AuditActor {
  userId: string;
  clientAddress: string | undefined;
}

export class AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(
    actor: AuditActor,
    action: AuditAction,
    targetId: string | null,
    details: Record<string, unknown> = {},
  ): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        id: newId('aud'),
        created_at: Date.now(),
        user_id: actor.userId,
        action,
        target_id: targetId,
        details: JSON.stringify(details),
        client_address: actor.clientAddress ?? null,
      })
      .execute();
  }

  /** Newest first; one account's entries, or (userId undefined) everyone's for admins. */
  async list(userId: string | undefined, limit = 100): Promise<AuditEntry[]> {
    let query = this.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(Math.max(limit, 1), 1000));
    if (userId !== undefined) query = query.where('user_id', '=', userId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      created_at: new Date(row.created_at).toISOString(),
      user_id: row.user_id,
      action: row.action as AuditAction,
      target_id: row.target_id,
      details: JSON.parse(row.details) as Record<string, unknown>,
      client_address: row.client_address,
    }));
  }
}
