/**
 * The keys of a provider entry's pool: add, change (label, weight, enabled, the key itself) and
 * remove. Every key is stored as Fernet ciphertext and shown only by its hint; every change
 * invalidates the account's cached routes and bumps the entry's updated_at (its last Test no
 * longer describes the pool).
 */
import type { Kysely } from 'kysely';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { InvalidationBus } from '../coordination/invalidation.js';
import { newId } from '../crypto/secrets.js';
import { GatewayError, notFound } from '../errors.js';
import type { ProviderId } from '../providers/provider.js';
import type { Database, ProviderKeysTable } from '../store/schema.js';
import type { KeyPool } from './key-pool.js';
import { toKeyRecord, type PoolKeyRecord, type ProviderCredentials } from './provider-credentials.js';
import { checkProviderKey, keyHint } from './provider-key-format.js';
import type { Vault } from './vault.js';

export interface AddPoolKeyInput {
  api_key: string;
  label?: string | undefined;
  weight: number;
}

export interface PatchPoolKeyInput {
  api_key?: string | undefined;
  label?: string | undefined;
  weight?: number | undefined;
  enabled?: boolean | undefined;
}

/** At most this many keys per pool: a pool is for a handful of projects or organisations. */
export const MAX_POOL_KEYS = 50;

function poolConflict(code: string, message: string): GatewayError {
  return new GatewayError({ status: 409, code, message });
}

export class PoolKeys {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
    private readonly bus: InvalidationBus,
    private readonly audit: AuditLog,
    private readonly providers: ProviderCredentials,
    private readonly pool: KeyPool,
  ) {}

  async add(actor: AuditActor, providerId: string, input: AddPoolKeyInput): Promise<PoolKeyRecord> {
    const userId = actor.userId;
    const provider = await this.providers.getRow(userId, providerId);
    const existing = await this.providers.keyRows(userId, providerId);
    if (existing.length >= MAX_POOL_KEYS) {
      throw poolConflict('pool_full', `A pool holds at most ${MAX_POOL_KEYS} keys; remove one first.`);
    }
    const key = checkProviderKey(provider.provider as ProviderId, input.api_key);
    const now = Date.now();
    const row: ProviderKeysTable = {
      id: newId('pky'),
      provider_id: providerId,
      user_id: userId,
      key_ciphertext: this.vault.encrypt(key),
      key_hint: keyHint(key),
      label: input.label ?? '',
      weight: input.weight,
      enabled: 1,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('provider_keys').values(row).execute();
    await this.touch(userId, providerId);
    await this.audit.record(actor, 'provider.key_added', providerId, {
      name: provider.name,
      key_id: row.id,
      key_hint: row.key_hint,
      label: row.label,
      weight: row.weight,
    });
    return toKeyRecord(row, this.pool);
  }

  async patch(actor: AuditActor, providerId: string, keyId: string, input: PatchPoolKeyInput): Promise<PoolKeyRecord> {
    const userId = actor.userId;
    const provider = await this.providers.getRow(userId, providerId);
    const keys = await this.providers.keyRows(userId, providerId);
    const row = keys.find((k) => k.id === keyId);
    if (row === undefined) throw notFound('Provider key');
    const changes: Partial<ProviderKeysTable> = { updated_at: Date.now() };
    if (input.label !== undefined) changes.label = input.label;
    if (input.weight !== undefined) changes.weight = input.weight;
    if (input.enabled !== undefined) {
      if (!input.enabled && row.enabled === 1 && keys.filter((k) => k.enabled === 1).length === 1) {
        throw poolConflict(
          'last_enabled_key',
          'This is the last enabled key of the pool; add or enable another first, or remove the provider.',
        );
      }
      changes.enabled = input.enabled ? 1 : 0;
    }
    if (input.api_key !== undefined) {
      const key = checkProviderKey(provider.provider as ProviderId, input.api_key);
      changes.key_ciphertext = this.vault.encrypt(key);
      changes.key_hint = keyHint(key);
    }
    await this.db.updateTable('provider_keys').set(changes).where('id', '=', keyId).where('user_id', '=', userId).execute();
    await this.touch(userId, providerId);
    // Replaced or re-enabled: whatever marked it belonged to the old key or the old period.
    if (changes.key_ciphertext !== undefined || (changes.enabled === 1 && row.enabled === 0)) this.pool.clear(keyId);
    const after: ProviderKeysTable = { ...row, ...changes };
    const fields = Object.keys(changes).filter((f) => f !== 'updated_at' && f !== 'key_ciphertext');
    await this.audit.record(
      actor,
      changes.key_hint !== undefined ? 'provider.key_replaced' : 'provider.key_updated',
      providerId,
      {
        name: provider.name,
        key_id: keyId,
        key_hint: after.key_hint,
        fields,
      },
    );
    return toKeyRecord(after, this.pool);
  }

  async remove(actor: AuditActor, providerId: string, keyId: string): Promise<void> {
    const userId = actor.userId;
    const provider = await this.providers.getRow(userId, providerId);
    const keys = await this.providers.keyRows(userId, providerId);
    const row = keys.find((k) => k.id === keyId);
    if (row === undefined) throw notFound('Provider key');
    if (keys.length === 1) {
      throw poolConflict(
        'last_pool_key',
        'This is the only key of the pool; remove the provider instead (DELETE /api/providers/:id).',
      );
    }
    if (row.enabled === 1 && keys.filter((k) => k.enabled === 1).length === 1) {
      throw poolConflict('last_enabled_key', 'This is the last enabled key of the pool; enable another first.');
    }
    await this.db.deleteFrom('provider_keys').where('id', '=', keyId).where('user_id', '=', userId).execute();
    await this.touch(userId, providerId);
    this.pool.clear(keyId);
    await this.audit.record(actor, 'provider.key_removed', providerId, {
      name: provider.name,
      key_id: keyId,
      key_hint: row.key_hint,
    });
  }

  /** A pool change: the entry's last Test is stale, and every replica reloads the account's routes. */
  private async touch(userId: string, providerId: string): Promise<void> {
    await this.db
      .updateTable('providers')
      .set({ updated_at: Date.now(), last_check: null })
      .where('id', '=', providerId)
      .where('user_id', '=', userId)
      .execute();
    this.bus.publish({ kind: 'providers', userId });
  }
}
