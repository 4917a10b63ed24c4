/**
 * The columns of a usage row, listed once: in the order of the rows record-usage.ts builds and of
 * the usage INSERT's parameters, each with how the writer's queue stores it (row-queue.ts).
 */
import type { UsageTable } from '../store/schema.js';

/** A number; a text that repeats from row to row (stored once per queue); a text of the row's own. */
export type ColumnKind = 'number' | 'shared' | 'own';

export const USAGE_COLUMN_KINDS = [
  ['id', 'own'],
  ['created_at', 'number'],
  ['user_id', 'shared'],
  ['key_id', 'shared'],
  ['model_requested', 'shared'],
  ['model_served', 'shared'],
  ['provider', 'shared'],
  ['status', 'number'],
  ['error_code', 'shared'],
  ['prompt_tokens', 'number'],
  ['completion_tokens', 'number'],
  ['cached_tokens', 'number'],
  ['cache_write_tokens', 'number'],
  ['reasoning_tokens', 'number'],
  ['cost_nano_usd', 'number'],
  ['latency_ms', 'number'],
  ['ttft_ms', 'number'],
  ['stream', 'number'],
  ['attempts', 'number'],
  ['endpoint', 'shared'],
  ['pool_key_id', 'shared'],
  ['unpriced', 'number'],
  ['error_message', 'own'],
  ['detail', 'own'],
] as const satisfies ReadonlyArray<readonly [keyof UsageTable, ColumnKind]>;

export type UsageColumn = (typeof USAGE_COLUMN_KINDS)[number][0];

/** The column names alone, in the same order. */
export const USAGE_COLUMNS: readonly UsageColumn[] = USAGE_COLUMN_KINDS.map(([column]) => column);

// Fails to compile if a column of the usage table is missing above.
type Unlisted = Exclude<keyof UsageTable, UsageColumn>;
const everyColumnListed: Unlisted extends never ? true : never = true;
void everyColumnListed;
