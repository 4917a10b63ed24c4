/**
 * Z-AI gateway keys: `zai-` + 43 base62 characters (256 bits). Only the SHA-256 digest is stored
 * and looked up. The gateway authenticates through an in-memory cache keyed by digest, dropped on
 * revoke and patch, and for all of an account's keys when an admin disables or enables it (on
 * every replica, through the invalidation bus).
 */
import type { Kysely } from 'kysely';
import { GatewayError, invalidRequest, notFound } from '../errors.js';
import type { KeyInput } from './key-input.js';
import { newId, randomBase62, sha256Hex } from '../crypto/secrets.js';
import type { ApiKeysTable, Database } from '../store/schema.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { InvalidationBus } from '../coordination/invalidation.js';

export const KEY_PREFIX = 'zai-';

export interface ApiKeyRecord {
  id: string;
  name: string;
  key_hint: string;
  allowed_models: string[];
  spend_cap_micro_usd: number | null;
  spent_micro_usd: number;
  fallback_model: string | string[] | null;
  rate_limit_rpm: number | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** What the gateway knows about an authenticated key. */
export interface KeyAuth {
  id: string;
  userId: string;
  keyHash: string;
  revoked: boolean;
  /** The owning account is disabled by an admin: the key is refused until it is enabled again. */
  accountDisabled: boolean;
  allowedModels: string[];
  /** The cap in nano-USD, or null for no cap. */
  capNanoUsd: number | null;
  /** Spend recorded in the database when the key was loaded (the ledger adds what came since). */
  spentNanoUsd: number;
  fallbackModels: string[];
  /** Requests per minute, or null for no limit. */
  rateLimitRpm: number | null;
}

function fallbackList(stored: string | null): string[] {
  if (stored === null) return [];
  const parsed = JSON.parse(stored) as string | string[] | null;
  if (parsed === null) return [];
  return typeof parsed === 'string' ? [parsed] : parsed;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function toRecord(row: ApiKeysTable): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    key_hint: row.key_hint,
    allowed_models: JSON.parse(row.allowed_models) as string[],
    spend_cap_micro_usd: row.spend_cap_nano_usd === null ? null : Math.floor(row.spend_cap_nano_usd / 1000),
    spent_micro_usd: Math.round(row.spent_nano_usd / 1000),
    fallback_model: row.fallback_model === null ? null : (JSON.parse(row.fallback_model) as string | string[] | null),
    rate_limit_rpm: row.rate_limit_rpm,
    created_at: new Date(row.created_at).toISOString(),
    revoked_at: iso(row.revoked_at),
    last_used_at: iso(row.last_used_at),
  };
}

export class ApiKeys {
  private readonly cache = new Map<string, Promise<KeyAuth | undefined>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bus: InvalidationBus,
    private readonly audit: AuditLog,
  ) {
    bus.subscribe((message) => {
      if (message.kind === 'api-key') this.cache.delete(message.keyHash);
      else if (message.kind === 'all') this.cache.clear();
    });
  }

  async create(actor: AuditActor, input: KeyInput): Promise<ApiKeyRecord & { key: string }> {
    const userId = actor.userId;
    const name = input.name;
    if (name === undefined) throw invalidRequest('name is required: a non-empty string of at most 100 characters.', 'name');
    const allowed = input.allowed_models ?? [];
    const cap = input.spend_cap_micro_usd ?? null;
    const fallback = input.fallback_model ?? null;
    const rpm = input.rate_limit_rpm ?? null;
    const key = `${KEY_PREFIX}${randomBase62(32)}`;
    const now = Date.now();
    const row = {
      id: newId('key'),
      user_id: userId,
      name,
      key_hash: sha256Hex(key),
      key_hint: `${KEY_PREFIX}…${key.slice(-4)}`,
      allowed_models: JSON.stringify(allowed),
      spend_cap_nano_usd: cap === null ? null : cap * 1000,
      spent_nano_usd: 0,
      fallback_model: fallback === null ? null : JSON.stringify(fallback),
      created_at: now,
      updated_at: now,
      revoked_at: null,
      last_used_at: null,
      rate_limit_rpm: rpm,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    await this.audit.record(actor, 'key.created', row.id, {
      name,
      key_hint: row.key_hint,
      spend_cap_micro_usd: cap,
      allowed_models: allowed,
    });
    return { ...toRecord(row), key };
  }

  async list(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toRecord);
  }

  async get(userId: string, id: string): Promise<ApiKeyRecord> {
    return toRecord(await this.getRow(userId, id));
  }

  async patch(actor: AuditActor, id: string, input: KeyInput): Promise<ApiKeyRecord> {
    const userId = actor.userId;
    const row = await this.getRow(userId, id);
    if (row.revoked_at !== null) {
      throw new GatewayError({ status: 409, message: 'This key is revoked and cannot be changed.', code: 'key_revoked' });
    }
    const changes: Partial<ApiKeysTable> = { updated_at: Date.now() };
    if (input.name !== undefined) changes.name = input.name;
    if (input.allowed_models !== undefined) changes.allowed_models = JSON.stringify(input.allowed_models ?? []);
    if (input.spend_cap_micro_usd !== undefined) {
      const cap = input.spend_cap_micro_usd;
      changes.spend_cap_nano_usd = cap === null ? null : cap * 1000;
    }
    if (input.fallback_model !== undefined) {
      changes.fallback_model = input.fallback_model === null ? null : JSON.stringify(input.fallback_model);
    }
    if (input.rate_limit_rpm !== undefined) changes.rate_limit_rpm = input.rate_limit_rpm;
    await this.db.updateTable('api_keys').set(changes).where('id', '=', id).where('user_id', '=', userId).execute();
    this.bus.publish({ kind: 'api-key', keyHash: row.key_hash });
    const after = toRecord({ ...row, ...changes });
    if (changes.spend_cap_nano_usd !== undefined && changes.spend_cap_nano_usd !== row.spend_cap_nano_usd) {
      await this.audit.record(actor, 'key.cap_changed', id, {
        name: after.name,
        from_micro_usd: toRecord(row).spend_cap_micro_usd,
        to_micro_usd: after.spend_cap_micro_usd,
      });
    }
    const other = Object.keys(changes).filter((k) => k !== 'updated_at' && k !== 'spend_cap_nano_usd');
    if (other.length > 0) await this.audit.record(actor, 'key.updated', id, { name: after.name, fields: other });
    return after;
  }

  async revoke(actor: AuditActor, id: string): Promise<void> {
    const row = await this.getRow(actor.userId, id);
    if (row.revoked_at === null) {
      await this.db.updateTable('api_keys').set({ revoked_at: Date.now() }).where('id', '=', id).execute();
      await this.audit.record(actor, 'key.revoked', id, { name: row.name, key_hint: row.key_hint });
    }
    this.bus.publish({ kind: 'api-key', keyHash: row.key_hash });
  }

  /** Drops every cached key of an account (its status changed), here and on the other replicas. */
  async dropAccount(userId: string): Promise<void> {
    const rows = await this.db.selectFrom('api_keys').select('key_hash').where('user_id', '=', userId).execute();
    for (const row of rows) this.bus.publish({ kind: 'api-key', keyHash: row.key_hash });
  }

  /** The key behind a bearer token, from the cache; undefined for unknown keys. */
  authenticate(token: string): Promise<KeyAuth | undefined> {
    if (!token.startsWith(KEY_PREFIX) || token.length > 200) return Promise.resolve(undefined);
    return this.authenticateHash(sha256Hex(token));
  }

  /** The key of an account by id, for the dashboard's Playground (the session stands in for the bearer). */
  async authById(userId: string, id: string): Promise<KeyAuth> {
    const row = await this.getRow(userId, id);
    const auth = await this.authenticateHash(row.key_hash);
    if (auth === undefined) throw notFound('Key');
    return auth;
  }

  // Unknown keys are not kept in the cache: a flood of random keys must not grow memory.
  private authenticateHash(hash: string): Promise<KeyAuth | undefined> {
    let entry = this.cache.get(hash);
    if (entry === undefined) {
      entry = this.load(hash);
      entry.then(
        (auth) => {
          if (auth === undefined) this.cache.delete(hash);
        },
        () => this.cache.delete(hash),
      );
      this.cache.set(hash, entry);
    }
    return entry;
  }

  private async load(hash: string): Promise<KeyAuth | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .selectAll('api_keys')
      .select('users.disabled_at')
      .where('api_keys.key_hash', '=', hash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      userId: row.user_id,
      keyHash: row.key_hash,
      revoked: row.revoked_at !== null,
      accountDisabled: row.disabled_at !== null,
      allowedModels: JSON.parse(row.allowed_models) as string[],
      capNanoUsd: row.spend_cap_nano_usd,
      spentNanoUsd: row.spent_nano_usd,
      fallbackModels: fallbackList(row.fallback_model),
      rateLimitRpm: row.rate_limit_rpm,
    };
  }

  private async getRow(userId: string, id: string): Promise<ApiKeysTable> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw notFound('Key');
    return row;
  }
}
