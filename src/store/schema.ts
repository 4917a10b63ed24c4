/**
 * Table types for the query builder. Times are epoch milliseconds, money is integer nano-USD
 * (1 USD = 1e9; the API shows micro-USD) and prices are integer micro-USD per million tokens, so
 * no floating point ever touches money and both SQLite and PostgreSQL store the same integers.
 */
import type { Generated } from 'kysely';

/** The API a `/v1` request came in through (its usage row's `endpoint`). */
export type UsageEndpoint = 'chat.completions' | 'embeddings' | 'messages' | 'responses';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  role: 'admin' | 'member';
  created_at: number;
  /** Set while an admin has disabled the account: it cannot log in and its Z-AI keys stop working. */
  disabled_at: number | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a database leak yields no usable session. */
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ProvidersTable {
  id: string;
  user_id: string;
  provider: string;
  name: string;
  base_url: string;
  created_at: number;
  updated_at: number;
  /** 1: requests of one Z-AI key with the same leading messages go to the same pool key (prompt caches). */
  affinity: number;
  /** JSON of the last Test (ok, status, latency, the provider's message, when); null until tested or after a key change. */
  last_check: string | null;
}

/** One key of a provider entry's pool; an entry has at least one. */
export interface ProviderKeysTable {
  id: string;
  provider_id: string;
  user_id: string;
  /** Fernet token of the provider key; the only form in which a key is stored. */
  key_ciphertext: string;
  key_hint: string;
  label: string;
  /** 1–100: the share of requests among the pool's available keys. */
  weight: number;
  /** 1 or 0; a disabled key is never chosen. */
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 (hex) of the full `zai-…` key; lookups go by this digest. */
  key_hash: string;
  key_hint: string;
  /** JSON array of model patterns. */
  allowed_models: string;
  spend_cap_nano_usd: number | null;
  spent_nano_usd: number;
  /** JSON: null, a string, or an array of strings. */
  fallback_model: string | null;
  created_at: number;
  updated_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  /** Requests per minute allowed, or null for no limit. */
  rate_limit_rpm: number | null;
  /** The span `spend_cap_nano_usd` applies to: see billing/budget-period.ts. */
  budget_period: BudgetPeriod;
  /** Tokens per minute allowed (input estimate + reserved output), or null for no limit. */
  rate_limit_tpm: number | null;
}

export type BudgetPeriod = 'total' | 'day' | 'week' | 'month';

/** Spend of a key with a budget period, per period. */
export interface KeyPeriodSpendTable {
  key_id: string;
  /** Start of the UTC calendar period, epoch ms. */
  period_start: number;
  spent_nano_usd: number;
}

export interface PricesTable {
  user_id: string;
  model: string;
  input_micro_usd_per_mtok: number;
  output_micro_usd_per_mtok: number;
  cached_input_micro_usd_per_mtok: number | null;
  cache_write_5m_micro_usd_per_mtok: number | null;
  cache_write_1h_micro_usd_per_mtok: number | null;
  updated_at: number;
}

/** The deployment's imported catalog (`zai prices import`): replaces the shipped figures per model. */
export interface CatalogPricesTable {
  model: string;
  input_micro_usd_per_mtok: number;
  output_micro_usd_per_mtok: number;
  cached_input_micro_usd_per_mtok: number | null;
  cache_write_5m_micro_usd_per_mtok: number | null;
  cache_write_1h_micro_usd_per_mtok: number | null;
  updated_at: number;
}

export interface UsageTable {
  id: string;
  created_at: number;
  user_id: string;
  key_id: string;
  model_requested: string;
  model_served: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  /** Cache reads, part of prompt_tokens. */
  cached_tokens: number;
  /** Cache writes (all durations), part of prompt_tokens. */
  cache_write_tokens: number;
  /** Reasoning tokens, part of completion_tokens. */
  reasoning_tokens: number;
  cost_nano_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: number;
  attempts: number;
  /** Which API the client called: see UsageEndpoint. */
  endpoint: UsageEndpoint;
  /** The pool key that served (its id, never the key); null when no upstream call succeeded. */
  pool_key_id: string | null;
  /** 1: an answer was served by a model without a price, so its cost is unknown (recorded as 0). */
  unpriced: number;
  /** The message of the error the client saw (at most 500 characters, never a key); null on success. */
  error_message: string | null;
  /** Compact JSON of the attempts and the cost arithmetic (usage/usage-detail.ts); never content. */
  detail: string | null;
}

/** A distinct combination of what usage is filtered and broken down by; '' stands for none. */
export interface UsageSeriesTable {
  id: Generated<number>;
  user_id: string;
  key_id: string;
  model_requested: string;
  model_served: string;
  provider: string;
  endpoint: UsageEndpoint;
  /** The status divided by 100: 2, 4 or 5. */
  status_class: number;
  /** The pool key that served; '' when none did. */
  pool_key_id: string;
  /** 1 for requests served by a model without a price (usage.unpriced). */
  unpriced: number;
}

/** Sums of one series over one minute; see migrations/005-usage-rollups. */
export interface UsageMinuteRollupsTable {
  user_id: string;
  bucket_start: number;
  series_id: number;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_nano_usd: number;
  latency_ms_sum: number;
  ttft_count: number;
  ttft_ms_sum: number;
  /** usage/latency-histogram.ts entries. */
  latency_hist: Uint8Array;
  ttft_hist: Uint8Array;
}

/** Every series of an account over one hour or day (`grain` in ms), packed: usage/rollup-pack.ts. */
export interface UsageRollupPacksTable {
  user_id: string;
  grain: number;
  bucket_start: number;
  body: Uint8Array;
}

export interface UsageRollupProgressTable {
  user_id: string;
  /** Hours before this time have hour rollups, and whole days before it day rollups. */
  compacted_until: number;
}

export interface UsageRollupStateTable {
  name: string;
  value: number;
}

export interface SpendReservationsTable {
  id: string;
  key_id: string;
  amount_nano_usd: number;
  expires_at: number;
  /** The budget period the reservation counts against; 0 (the default) for a key's total budget. */
  period_start: Generated<number>;
}

export interface AuditLogTable {
  id: string;
  created_at: number;
  user_id: string;
  /** e.g. `provider.created`, `key.revoked`, `key.cap_changed`. */
  action: string;
  target_id: string | null;
  /** JSON of non-secret details (names, hints, old and new caps). Never a key. */
  details: string;
  client_address: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  providers: ProvidersTable;
  provider_keys: ProviderKeysTable;
  api_keys: ApiKeysTable;
  prices: PricesTable;
  usage: UsageTable;
  usage_series: UsageSeriesTable;
  usage_minute_rollups: UsageMinuteRollupsTable;
  usage_rollup_packs: UsageRollupPacksTable;
  usage_rollup_progress: UsageRollupProgressTable;
  usage_rollup_state: UsageRollupStateTable;
  spend_reservations: SpendReservationsTable;
  key_period_spend: KeyPeriodSpendTable;
  catalog_prices: CatalogPricesTable;
  audit_log: AuditLogTable;
}
