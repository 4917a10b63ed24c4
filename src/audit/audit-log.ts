/**
 * The audit log of management actions (provider added / replaced / removed, key created /
 * changed / revoked, cap changed, an admin disabling, enabling or re-roling an account): who, what,
 * when — never a key, only names and hints.
 */
import type { Kysely } from 'kysely';
import { newId } from '../crypto/secrets.js';
import { invalidRequest } from '../errors.js';
import { decodeCursor, encodeCursor } from '../lib/page-cursor.js';
import type { Database } from '../store/schema.js';

export type AuditAction =
  | 'provider.created'
  | 'provider.key_replaced'
  | 'provider.updated'
  | 'provider.removed'
  | 'provider.key_added'
  | 'provider.key_updated'
  | 'provider.key_removed'
  | 'key.created'
  | 'key.updated'
  | 'key.cap_changed'
  | 'key.revoked'
  | 'account.disabled'
  | 'account.enabled'
  | 'account.role_changed';

export interface AuditEntry {
  id: string;
  created_at: string;
  user_id: string;
  /** The email of the account that acted. */
  user_email: string | null;
  action: AuditAction;
  target_id: string | null;
  details: Record<string, unknown>;
  client_address: string | null;
}

export interface AuditActor {
  userId: string;
  clientAddress: string | undefined;
}

export interface AuditQuery {
  /** One account's entries; undefined for everyone's (admins). */
  userId: string | undefined;
  /** 1 to 1000; 100 when absent. */
  limit?: string | number | undefined;
  cursor?: string | undefined;
}

export interface AuditPage {
  data: AuditEntry[];
  next_cursor: string | null;
}

function pageSize(limit: string | number | undefined): number {
  if (limit === undefined || limit === '') return 100;
  const n = Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw invalidRequest('limit must be an integer from 1 to 1000.', 'limit');
  return n;
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

  /** Newest first, a page at a time. */
  async list(query: AuditQuery): Promise<AuditPage> {
    const limit = pageSize(query.limit);
    let select = this.db
      .selectFrom('audit_log')
      .leftJoin('users', 'users.id', 'audit_log.user_id')
      .selectAll('audit_log')
      .select('users.email as user_email')
      .orderBy('audit_log.created_at', 'desc')
      .orderBy('audit_log.id', 'desc')
      .limit(limit + 1);
    if (query.userId !== undefined) select = select.where('audit_log.user_id', '=', query.userId);
    if (query.cursor) {
      const c = decodeCursor(query.cursor);
      select = select.where((eb) =>
        eb.or([
          eb('audit_log.created_at', '<', c.createdAt),
          eb.and([eb('audit_log.created_at', '=', c.createdAt), eb('audit_log.id', '<', c.id)]),
        ]),
      );
    }
    const rows = await select.execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      data: page.map((row) => ({
        id: row.id,
        created_at: new Date(row.created_at).toISOString(),
        user_id: row.user_id,
        user_email: row.user_email,
        action: row.action as AuditAction,
        target_id: row.target_id,
        details: JSON.parse(row.details) as Record<string, unknown>,
        client_address: row.client_address,
      })),
      next_cursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
    };
  }
}
