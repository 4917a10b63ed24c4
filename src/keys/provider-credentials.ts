/**
 * "Z-AI → Providers": the provider entries of an account, each with a pool of one or more keys
 * stored as Fernet ciphertext plus a hint (the pool's own routes are in pool-keys.ts). The gateway
 * reads them through an in-memory cache (ciphertext only) that is invalidated on every change, so
 * the hot path never waits on the database.
 */
import type { Kysely } from 'kysely';
import type { AccountRole } from '../egress/private-upstreams.js';
import type { UpstreamPolicy } from '../egress/upstream-policy.js';
import { GatewayError, invalidRequest, notFound } from '../errors.js';
import { newId } from '../crypto/secrets.js';
import { PROVIDERS, isProviderId } from '../providers/registry.js';
import type { ProviderId } from '../providers/provider.js';
import type { Database, ProviderKeysTable, ProvidersTable } from '../store/schema.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { InvalidationBus } from '../coordination/invalidation.js';
import { checkProviderKey, keyHint } from './provider-key-format.js';
import type { VerifiedToken } from '../crypto/fernet.js';
import type { Vault } from './vault.js';
import type { KeyPool, PoolKey, PoolKeyView } from './key-pool.js';

/** The last Test of a connection: what the provider answered to an authenticated model-list call. */
export interface ProviderCheck {
  ok: boolean;
  /** The provider's HTTP status; null when it could not be reached. */
  status: number | null;
  latency_ms: number;
  /** The provider's own message (the key scrubbed out), at most 500 characters. */
  message: string;
  checked_at: string;
}

/** One key of a pool as the API shows it: never the key, only its hint. */
export interface PoolKeyRecord extends PoolKeyView {
  id: string;
  label: string;
  hint: string;
  weight: number;
  enabled: boolean;
  created_at: string;
}

export interface ProviderRecord {
  id: string;
  provider: ProviderId;
  name: string;
  base_url: string;
  /** The hint of the pool's first key (the one pasted with the entry, or its replacement). */
  key_hint: string;
  /** Requests with the same leading messages go to the same pool key while it is healthy. */
  affinity: boolean;
  created_at: string;
  updated_at: string;
  /** Null until the first Test, and again after a key or the base URL changes. */
  last_check: ProviderCheck | null;
  keys: PoolKeyRecord[];
}

const MAX_CHECK_MESSAGE = 500;

/** What the gateway needs to call a provider; the key stays encrypted until the call. */
export interface ProviderRoute {
  id: string;
  provider: ProviderId;
  name: string;
  baseUrl: string;
  /** The enabled keys of the pool, oldest first; never empty (the last enabled key cannot be disabled). */
  keys: readonly PoolKey[];
  affinity: boolean;
  /** The entry's updated_at: a Test result is kept only if nothing changed meanwhile. */
  updatedAt: number;
  /** The role of the account that owns it: what its calls may reach (ZAI_PRIVATE_UPSTREAMS). */
  ownerRole: AccountRole;
}

/** Who is changing a provider: the audit log's actor, and the role that decides which base URLs it may use. */
export interface ProviderActor extends AuditActor {
  role: AccountRole;
}

function keyUnreadable(cause: unknown): GatewayError {
  return new GatewayError({
    status: 500,
    code: 'provider_key_unreadable',
    message:
      'The stored provider key cannot be decrypted with the configured PROVIDER_KEY_ENCRYPTION_KEY. Paste the key again or restore the previous encryption key.',
    cause,
  });
}

function toRoute(
  row: { id: string; provider: string; name: string; base_url: string; affinity: number; updated_at: number; role: AccountRole },
  keys: readonly PoolKey[],
): ProviderRoute {
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    name: row.name,
    baseUrl: row.base_url,
    keys,
    affinity: row.affinity === 1,
    updatedAt: Number(row.updated_at),
    ownerRole: row.role,
  };
}

type KeyRow = Pick<ProviderKeysTable, 'id' | 'provider_id' | 'key_ciphertext' | 'weight'>;

function toPoolKey(row: KeyRow): PoolKey {
  return { id: row.id, ciphertext: row.key_ciphertext, weight: row.weight };
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function toKeyRecord(row: ProviderKeysTable, pool: KeyPool): PoolKeyRecord {
  return {
    id: row.id,
    label: row.label,
    hint: row.key_hint,
    weight: row.weight,
    enabled: row.enabled === 1,
    created_at: new Date(Number(row.created_at)).toISOString(),
    ...pool.view(row.id),
  };
}

function toRecord(row: ProvidersTable, keys: PoolKeyRecord[]): ProviderRecord {
  return {
    id: row.id,
    provider: row.provider as ProviderId,
    name: row.name,
    base_url: row.base_url,
    key_hint: keys[0]?.hint ?? '',
    affinity: row.affinity === 1,
    created_at: new Date(Number(row.created_at)).toISOString(),
    updated_at: new Date(Number(row.updated_at)).toISOString(),
    last_check: row.last_check === null ? null : (JSON.parse(row.last_check) as ProviderCheck),
    keys,
  };
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidRequest('base_url must be an http(s) URL such as https://api.openai.com/v1.', 'base_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidRequest('base_url must be an http(s) URL such as https://api.openai.com/v1.', 'base_url');
  }
  if (url.username !== '' || url.password !== '') {
    throw invalidRequest('base_url must not contain credentials; paste the key as api_key.', 'base_url');
  }
  return url;
}

function checkName(provider: ProviderId, name: string | undefined): string {
  if (name === undefined || name === '') {
    if (provider === 'custom') {
      throw invalidRequest('name is required for a custom provider (lowercase letters, digits and -, e.g. ollama).', 'name');
    }
    return provider;
  }
  if (!NAME.test(name))
    throw invalidRequest('name must be lowercase letters, digits and - (at most 63), e.g. vllm-prod.', 'name');
  if (provider === 'custom' && isProviderId(name)) {
    throw invalidRequest(`name must not be a built-in provider id (${name}); choose e.g. ${name}-self-hosted.`, 'name');
  }
  return name;
}

export interface CreateProviderInput {
  provider: string;
  api_key: string;
  base_url?: string | undefined;
  name?: string | undefined;
  affinity?: boolean | undefined;
}

export interface PatchProviderInput {
  /** Replaces the pool's first key. */
  api_key?: string | undefined;
  base_url?: string | undefined;
  name?: string | undefined;
  affinity?: boolean | undefined;
}

const MAX_VERIFIED_TOKENS = 10_000;

export class ProviderCredentials {
  private readonly cache = new Map<string, Promise<Map<string, ProviderRoute>>>();
  /**
   * Tokens whose MAC was verified, by token text: IV + ciphertext only, so a request does just the
   * AES step. The plaintext key is never cached; it lives only for the call that decrypts it.
   */
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly vault: Vault,
    private readonly bus: InvalidationBus,
    private readonly audit: AuditLog,
    private readonly policy: UpstreamPolicy,
    /** The keys' health and the choice among them (in memory). */
    readonly pool: KeyPool,
  ) {
    bus.subscribe((message) => {
      if (message.kind === 'providers') this.cache.delete(message.userId);
      else if (message.kind === 'all') this.cache.clear();
      // Invalidated with the provider cache (rare: management changes), whole, for simplicity.
      if (message.kind === 'providers' || message.kind === 'all') this.verified.clear();
    });
  }

  /** A base URL in its stored form, once its host is one the actor may use (400 `base_url_not_allowed`). */
  private async checkBaseUrl(raw: string, actor: ProviderActor): Promise<string> {
    const url = parseBaseUrl(raw);
    await this.policy.checkBaseUrl(url, actor.role);
    return url.toString().replace(/\/+$/, '');
  }

  async create(actor: ProviderActor, input: CreateProviderInput): Promise<ProviderRecord> {
    const userId = actor.userId;
    if (!isProviderId(input.provider)) {
      throw invalidRequest(`provider must be one of: ${Object.keys(PROVIDERS).join(', ')}.`, 'provider');
    }
    const provider = input.provider;
    const name = checkName(provider, input.name);
    if (provider === 'custom' && (input.base_url === undefined || input.base_url.trim() === '')) {
      throw invalidRequest('base_url is required for a custom provider, e.g. http://localhost:11434/v1 for Ollama.', 'base_url');
    }
    const baseUrl = await this.checkBaseUrl(input.base_url ?? PROVIDERS[provider].defaultBaseUrl, actor);
    const key = checkProviderKey(provider, input.api_key);
    const now = Date.now();
    const row: ProvidersTable = {
      id: newId('prv'),
      user_id: userId,
      provider,
      name,
      base_url: baseUrl,
      affinity: input.affinity === true ? 1 : 0,
      created_at: now,
      updated_at: now,
      last_check: null,
    };
    const keyRow: ProviderKeysTable = {
      id: newId('pky'),
      provider_id: row.id,
      user_id: userId,
      key_ciphertext: this.vault.encrypt(key),
      key_hint: keyHint(key),
      label: '',
      weight: 1,
      enabled: 1,
      created_at: now,
      updated_at: now,
    };
    await this.assertNameFree(userId, name, undefined);
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('providers').values(row).execute();
        await trx.insertInto('provider_keys').values(keyRow).execute();
      });
    } catch (err) {
      await this.assertNameFree(userId, name, undefined);
      throw err;
    }
    this.bus.publish({ kind: 'providers', userId });
    await this.audit.record(actor, 'provider.created', row.id, { provider, name, base_url: baseUrl, key_hint: keyRow.key_hint });
    return toRecord(row, [toKeyRecord(keyRow, this.pool)]);
  }

  async list(userId: string): Promise<ProviderRecord[]> {
    const rows = await this.db.selectFrom('providers').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
    const keys = await this.keyRows(userId);
    return rows.map((row) => this.withKeys(row, keys));
  }

  /** One entry as the API shows it, its keys included. */
  async get(userId: string, id: string): Promise<ProviderRecord> {
    return this.withKeys(await this.getRow(userId, id), await this.keyRows(userId, id));
  }

  private withKeys(row: ProvidersTable, keys: readonly ProviderKeysTable[]): ProviderRecord {
    return toRecord(
      row,
      keys.filter((k) => k.provider_id === row.id).map((k) => toKeyRecord(k, this.pool)),
    );
  }

  /** The account's pool keys (of one entry, when given), oldest first. */
  keyRows(userId: string, providerId?: string): Promise<ProviderKeysTable[]> {
    let query = this.db.selectFrom('provider_keys').selectAll().where('user_id', '=', userId);
    if (providerId !== undefined) query = query.where('provider_id', '=', providerId);
    return query.orderBy('created_at').orderBy('id').execute();
  }

  async patch(actor: ProviderActor, id: string, input: PatchProviderInput): Promise<ProviderRecord> {
    const userId = actor.userId;
    const row = await this.getRow(userId, id);
    const provider = row.provider as ProviderId;
    const changes: Partial<ProvidersTable> = { updated_at: Date.now() };
    if (input.name !== undefined && input.name !== row.name) {
      changes.name = checkName(provider, input.name);
      await this.assertNameFree(userId, changes.name, id);
    }
    if (input.base_url !== undefined) {
      if (input.base_url.trim() === '' && provider === 'custom')
        throw invalidRequest('base_url is required for a custom provider.', 'base_url');
      changes.base_url = await this.checkBaseUrl(
        input.base_url.trim() === '' ? PROVIDERS[provider].defaultBaseUrl : input.base_url,
        actor,
      );
      if (changes.base_url !== row.base_url) changes.last_check = null;
    }
    if (input.affinity !== undefined) changes.affinity = input.affinity ? 1 : 0;
    let replaced: { id: string; hint: string } | undefined;
    if (input.api_key !== undefined) {
      const key = checkProviderKey(provider, input.api_key);
      const first = (await this.keyRows(userId, id))[0];
      if (first === undefined) throw notFound('Provider');
      replaced = { id: first.id, hint: keyHint(key) };
      await this.db
        .updateTable('provider_keys')
        .set({ key_ciphertext: this.vault.encrypt(key), key_hint: replaced.hint, updated_at: Date.now() })
        .where('id', '=', first.id)
        .execute();
      // The last Test was of the old key.
      changes.last_check = null;
    }
    await this.db.updateTable('providers').set(changes).where('id', '=', id).where('user_id', '=', userId).execute();
    this.bus.publish({ kind: 'providers', userId });
    if (replaced !== undefined) this.pool.clear(replaced.id);
    const after = await this.get(userId, id);
    if (replaced !== undefined)
      await this.audit.record(actor, 'provider.key_replaced', id, {
        name: after.name,
        key_hint: replaced.hint,
        key_id: replaced.id,
      });
    if (changes.name !== undefined || changes.base_url !== undefined) {
      await this.audit.record(actor, 'provider.updated', id, { name: after.name, base_url: after.base_url });
    }
    return after;
  }

  async remove(actor: AuditActor, id: string): Promise<void> {
    const userId = actor.userId;
    const row = await this.getRow(userId, id);
    await this.db.deleteFrom('providers').where('id', '=', id).where('user_id', '=', userId).execute();
    this.bus.publish({ kind: 'providers', userId });
    await this.audit.record(actor, 'provider.removed', id, { name: row.name, provider: row.provider });
  }

  /**
   * Keeps a Test's result with the connection, unless its key or base URL changed meanwhile (the
   * result would describe a key that is no longer stored).
   */
  async recordCheck(userId: string, route: ProviderRoute, check: Omit<ProviderCheck, 'checked_at'>): Promise<void> {
    // Every key or base URL change bumps updated_at.
    const stored: ProviderCheck = {
      ok: check.ok,
      status: check.status,
      latency_ms: check.latency_ms,
      message: check.message.slice(0, MAX_CHECK_MESSAGE),
      checked_at: new Date().toISOString(),
    };
    await this.db
      .updateTable('providers')
      .set({ last_check: JSON.stringify(stored) })
      .where('id', '=', route.id)
      .where('user_id', '=', userId)
      .where('updated_at', '=', route.updatedAt)
      .execute();
  }

  /**
   * The route for one of the account's providers, by id (for the provider test): with every key
   * of the pool, the disabled ones too, so each can be tested.
   */
  async routeById(userId: string, id: string): Promise<ProviderRoute> {
    const row = await this.routeRows(userId).where('providers.id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Provider');
    const keys = await this.db
      .selectFrom('provider_keys')
      .select(['id', 'provider_id', 'key_ciphertext', 'weight'])
      .where('provider_id', '=', id)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return toRoute(row, keys.map(toPoolKey));
  }

  /** The account's providers by name, from the cache (one database read per account until a change). */
  routes(userId: string): Promise<Map<string, ProviderRoute>> {
    let entry = this.cache.get(userId);
    if (entry === undefined) {
      entry = this.loadRoutes(userId);
      this.cache.set(userId, entry);
      // A failed load (database down) must not be cached.
      entry.catch(() => this.cache.delete(userId));
    }
    return entry;
  }

  /**
   * Decrypts a provider key for one upstream call. Throws a 500 that tells the operator what to do
   * when the token does not verify under any configured encryption key.
   */
  decryptKey(key: PoolKey): string {
    const token = key.ciphertext;
    let verified = this.verified.get(token);
    if (verified === undefined) {
      try {
        verified = this.vault.verify(token);
      } catch (cause) {
        throw keyUnreadable(cause);
      }
      // Bounded: a huge number of distinct providers only costs a re-verification.
      if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
      this.verified.set(token, verified);
    }
    return this.vault.decryptVerified(verified);
  }

  /**
   * A key of the route for a call that does not fail over (a model list, a stored response): an
   * available one by weight, else the first.
   */
  pickKey(route: ProviderRoute): PoolKey {
    const key = route.keys.length === 1 ? route.keys[0] : (this.pool.choose(route) ?? route.keys[0]);
    if (key === undefined) throw keyUnreadable(new Error('provider entry without keys'));
    return key;
  }

  private async loadRoutes(userId: string): Promise<Map<string, ProviderRoute>> {
    const rows = await this.routeRows(userId).execute();
    const keys = await this.db
      .selectFrom('provider_keys')
      .select(['id', 'provider_id', 'key_ciphertext', 'weight'])
      .where('user_id', '=', userId)
      .where('enabled', '=', 1)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    const byProvider = new Map<string, PoolKey[]>();
    for (const key of keys) {
      let list = byProvider.get(key.provider_id);
      if (list === undefined) byProvider.set(key.provider_id, (list = []));
      list.push(toPoolKey(key));
    }
    return new Map(rows.map((row) => [row.name, toRoute(row, byProvider.get(row.id) ?? [])]));
  }

  /** The account's providers with the owner's role. */
  private routeRows(userId: string) {
    return this.db
      .selectFrom('providers')
      .innerJoin('users', 'users.id', 'providers.user_id')
      .select([
        'providers.id',
        'providers.provider',
        'providers.name',
        'providers.base_url',
        'providers.affinity',
        'providers.updated_at',
        'users.role',
      ])
      .where('providers.user_id', '=', userId);
  }

  async getRow(userId: string, id: string): Promise<ProvidersTable> {
    const row = await this.db
      .selectFrom('providers')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) throw notFound('Provider');
    return row;
  }

  private async assertNameFree(userId: string, name: string, exceptId: string | undefined): Promise<void> {
    let query = this.db.selectFrom('providers').select('id').where('user_id', '=', userId).where('name', '=', name);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    if (await query.executeTakeFirst()) {
      throw new GatewayError({
        status: 409,
        message: `A provider named ${name} already exists; give this one another name (the prefix of its model strings).`,
        code: 'provider_name_taken',
        param: 'name',
      });
    }
  }
}
