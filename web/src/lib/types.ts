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

export interface ProviderRecord {
  id: string;
  provider: string;
  name: string;
  base_url: string;
  key_hint: string;
  created_at: string;
  updated_at: string;
}

export interface ProviderTestResult {
  ok: boolean;
  status: number | null;
  latency_ms: number;
  message: string;
}

export interface KeyRecord {
  id: string;
  name: string;
  key_hint: string;
  allowed_models: string[];
  spend_cap_micro_usd: number | null;
  spent_micro_usd: number;
  fallback_model: string | string[] | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at?: string | null;
}

export interface NewKey extends KeyRecord {
  key: string;
}

export interface KeyInput {
  name: string;
  allowed_models: string[];
  spend_cap_micro_usd: number | null;
  fallback_model: string | string[] | null;
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
  cost_micro_usd: number;
  latency_ms: number;
  ttft_ms: number | null;
  stream: boolean;
  attempts: number;
  /** The API the client called: chat.completions, embeddings, messages or responses. */
  endpoint: string;
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
  requests: number;
  cost_micro_usd: number;
}

export interface ListOf<T> {
  data: T[];
}
