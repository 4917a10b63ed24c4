/** The shapes the management API answers with (see docs/api.md). */

export type Role = 'admin' | 'member';

export interface User {
  id: string;
  email: string;
  role: Role;
}

export interface ProviderType {
  id: string;
  label: string;
  default_base_url: string | null;
  key_format: string;
  key_url: string | null;
  key_optional: boolean;
}

export interface ProviderTestResult {
  ok: boolean;
  status: number | null;
  latency_ms: number;
  message: string;
}

/** A connection's last Test, kept by the server. */
export interface ProviderCheck extends ProviderTestResult {
  checked_at: string;
}

/** One key of a provider's pool (never the key: its hint). */
export interface PoolKeyRecord {
  id: string;
  label: string;
  hint: string;
  weight: number;
  enabled: boolean;
  created_at: string;
  state: 'ok' | 'cooling_down' | 'failing';
  until: string | null;
  error: string | null;
  requests_last_hour: number;
  errors_last_hour: number;
  last_used_at: string | null;
  recent_errors: Array<{ at: string; status: number; code: string | null }>;
}

export interface ProviderRecord {
  id: string;
  provider: string;
  name: string;
  base_url: string;
  key_hint: string;
  affinity: boolean;
  created_at: string;
  updated_at: string;
  /** Null until tested, and again after a key or the base URL changed. */
  last_check: ProviderCheck | null;
  keys: PoolKeyRecord[];
}

export interface KeyRecord {
  id: string;
  name: string;
  key_hint: string;
  allowed_models: string[];
  spend_cap_micro_usd: number | null;
  spent_micro_usd: number;
  fallback_model: string | string[] | null;
  rate_limit_tpm?: number | null;
  budget_period?: BudgetPeriod;
  /** When the current budget period ends (null for a total budget). */
  period_resets_at?: string | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at?: string | null;
}

export interface NewKey extends KeyRecord {
  key: string;
}

export type BudgetPeriod = 'total' | 'day' | 'week' | 'month';

export interface KeyInput {
  name: string;
  allowed_models: string[];
  spend_cap_micro_usd: number | null;
  fallback_model: string | string[] | null;
  budget_period: BudgetPeriod;
  rate_limit_tpm: number | null;
}

export interface Model {
  id: string;
  owned_by: string;
}

export interface Price {
  model: string;
  input_usd_per_mtok: number;
  output_usd_per_mtok: number;
  cached_input_usd_per_mtok: number | null;
  cache_write_5m_usd_per_mtok?: number | null;
  cache_write_1h_usd_per_mtok?: number | null;
  /** The cache prices billed, defaults filled in. */
  effective?: { cached_input_usd_per_mtok: number; cache_write_5m_usd_per_mtok: number; cache_write_1h_usd_per_mtok: number };
  source: 'catalog' | 'custom';
}

export interface UsageRecord {
  id: string;
  created_at: string;
  key_id: string;
  model_requested: string;
  model_served: string | null;
  provider: string | null;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
  cost_micro_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: boolean;
  attempts: number;
  /** The API the client called: chat.completions, embeddings, messages or responses. */
  endpoint: string;
  /** Served by a model without a price: the cost is unknown, not zero. */
  unpriced: boolean;
  /** What the client was told of a failure (never a prompt); null on success. */
  error_message: string | null;
  /** The pool key that served it (its id, never the key); null when none did. */
  pool_key_id: string | null;
}

/** One try of a request's fallback chain. */
export interface UsageAttempt {
  model: string;
  provider: string | null;
  pool_key_id: string | null;
  status: number;
  error_code: string | null;
  latency_ms: number;
}

export type CostClass = 'input' | 'cached_input' | 'cache_write_5m' | 'cache_write_1h' | 'output';

/** GET /api/usage/:id: the row, every attempt and the cost's arithmetic. */
export interface UsageDetail extends UsageRecord {
  attempt_log: UsageAttempt[];
  cost: {
    priced: boolean;
    lines: Array<{ class: CostClass; tokens: number; usd_per_mtok: number; cost_micro_usd: number }>;
    total_micro_usd: number;
  };
}

export interface UsageTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_micro_usd: number;
}

export interface UsagePage {
  data: UsageRecord[];
  /** On the first page only. */
  totals: UsageTotals | null;
  next_cursor: string | null;
}

export interface AdminAccount extends User {
  created_at?: string;
  disabled_at: string | null;
  requests: number;
  cost_micro_usd: number;
}

export interface AuditEntry {
  id: string;
  created_at: string;
  user_id: string;
  user_email: string | null;
  action: string;
  target_id: string | null;
  details: Record<string, unknown>;
  client_address: string | null;
}

export interface AuditPage {
  data: AuditEntry[];
  next_cursor: string | null;
}

export interface ListOf<T> {
  data: T[];
}
