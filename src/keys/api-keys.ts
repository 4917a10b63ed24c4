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
import type { ApiKeysTable, BudgetPeriod, Database } from '../store/schema.js';
import { periodEnd, periodStart } from '../billing/budget-period.js';
import { spendInPeriods } from '../billing/period-spend.js';
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
  rate_limit_tpm: number | null;
  budget_period: BudgetPeriod;
  /** When the current budget period ends and the cap applies afresh (ISO 8601); null for `total`. */
  period_resets_at: string | null;
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
  /** Tokens per minute (input estimate + reserved output), or null for no limit. */
  rateLimitTpm: number | null;
  /** The span the cap applies to. */
  budgetPeriod: BudgetPeriod;
  /** For a periodic budget: the spend recorded in the period that was current when the key was loaded. */
  periodSpent: { start: number; nanoUsd: number };
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

/**
 * A key as the API shows it. `periodSpentNanoUsd` is the key's spend in the current budget period
 * (the whole `spent_nano_usd` for a total budget), `now` the time that period is taken at.
 */
function toRecord(row: ApiKeysTable, periodSpentNanoUsd?: number, now = Date.now()): ApiKeyRecord {
  const start = periodStart(row.budget_period, now);
  const resetsAt = periodEnd(row.budget_period, start);
  const spent = row.budget_period === 'total' ? row.spent_nano_usd : (periodSpentNanoUsd ?? 0);
  return {
    id: row.id,
    name: row.name,
    key_hint: row.key_hint,
    allowed_models: JSON.parse(row.allowed_models) as string[],
    spend_cap_micro_usd: row.spend_cap_nano_usd === null ? null : Math.floor(row.spend_cap_nano_usd / 1000),
    spent_micro_usd: Math.round(spent / 1000),
    fallback_model: row.fallback_model === null ? null : (JSON.parse(row.fallback_model) as string | string[] | null),
    rate_limit_rpm: row.rate_limit_rpm,
    rate_limit_tpm: row.rate_limit_tpm,
    budget_period: row.budget_period,
    period_resets_at: iso(resetsAt),
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
      budget_period: input.budget_period ?? 'total',
      rate_limit_tpm: input.rate_limit_tpm ?? null,
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
    return this.withPeriodSpend(rows);
  }

  async get(userId: string, id: string): Promise<ApiKeyRecord> {
    const [record] = await this.withPeriodSpend([await this.getRow(userId, id)]);
    return record as ApiKeyRecord;
  }

  /** Records with the spend of each key's current budget period. */
  private async withPeriodSpend(rows: ApiKeysTable[]): Promise<ApiKeyRecord[]> {
    const now = Date.now();
    const periodic = rows
      .filter((row) => row.budget_period !== 'total')
      .map((row) => ({ keyId: row.id, periodStart: periodStart(row.budget_period, now) }));
    const spent = await spendInPeriods(this.db, periodic);
    return rows.map((row) => toRecord(row, spent.get(row.id), now));
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
    if (input.rate_limit_tpm !== undefined) changes.rate_limit_tpm = input.rate_limit_tpm;
    if (input.budget_period !== undefined) changes.budget_period = input.budget_period;
    await this.db.updateTable('api_keys').set(changes).where('id', '=', id).where('user_id', '=', userId).execute();
    this.bus.publish({ kind: 'api-key', keyHash: row.key_hash });
    const [after] = (await this.withPeriodSpend([{ ...row, ...changes }])) as [ApiKeyRecord];
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
      rateLimitTpm: row.rate_limit_tpm,
      budgetPeriod: row.budget_period,
      periodSpent: await this.periodSpentNow(row),
    };
  }

  /** A periodic key's spend in the current period, as the gateway starts from when it loads the key. */
  private async periodSpentNow(row: ApiKeysTable): Promise<{ start: number; nanoUsd: number }> {
    if (row.budget_period === 'total') return { start: 0, nanoUsd: row.spent_nano_usd };
    const start = periodStart(row.budget_period, Date.now());
    const spent = await spendInPeriods(this.db, [{ keyId: row.id, periodStart: start }]);
    return { start, nanoUsd: spent.get(row.id) ?? 0 };
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
