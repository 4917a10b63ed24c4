/**
 * What an admin does to other accounts: disable or enable one, change its role. A disabled account
 * cannot log in, its sessions end at once, and its Z-AI keys stop working on every replica (their
 * cached entries are dropped through the invalidation bus). Every change is audited.
 */
import type { Kysely } from 'kysely';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import { GatewayError, notFound } from '../errors.js';
import type { ApiKeys } from '../keys/api-keys.js';
import type { Database } from '../store/schema.js';
import type { Role, User } from './accounts.js';

export interface AccountChange {
  role?: Role | undefined;
  disabled?: boolean | undefined;
}

export interface AccountStatus extends User {
  disabled_at: string | null;
}

export interface AccountAdminDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  keys: Pick<ApiKeys, 'dropAccount'>;
}

export class AccountAdmin {
  constructor(private readonly deps: AccountAdminDeps) {}

  async update(actor: AuditActor, id: string, change: AccountChange): Promise<AccountStatus> {
    const { db, audit, keys } = this.deps;
    // An admin cannot lock themselves out; since the actor stays an enabled admin, so does the server.
    if (id === actor.userId) {
      throw new GatewayError({
        status: 409,
        code: 'cannot_change_own_account',
        message: 'You cannot disable your own account or change your own role; ask another admin.',
      });
    }
    const row = await db
      .selectFrom('users')
      .select(['id', 'email', 'role', 'created_at', 'disabled_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound('Account');
    const after = { ...row };

    if (change.role !== undefined && change.role !== row.role) {
      await db.updateTable('users').set({ role: change.role }).where('id', '=', id).execute();
      after.role = change.role;
      await audit.record(actor, 'account.role_changed', id, { email: row.email, from: row.role, to: change.role });
    }
    if (change.disabled !== undefined && change.disabled !== (row.disabled_at !== null)) {
      after.disabled_at = change.disabled ? Date.now() : null;
      await db.updateTable('users').set({ disabled_at: after.disabled_at }).where('id', '=', id).execute();
      if (change.disabled) await db.deleteFrom('sessions').where('user_id', '=', id).execute();
      await keys.dropAccount(id);
      await audit.record(actor, change.disabled ? 'account.disabled' : 'account.enabled', id, { email: row.email });
    }
    return {
      id: after.id,
      email: after.email,
      role: after.role,
      created_at: new Date(after.created_at).toISOString(),
      disabled_at: after.disabled_at === null ? null : new Date(after.disabled_at).toISOString(),
    };
  }
}
