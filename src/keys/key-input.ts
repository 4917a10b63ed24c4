/**
 * The body of `POST /api/keys` and `PATCH /api/keys/:id`: every field optional here (a PATCH
 * changes what it names); `create` requires `name`. Model strings and patterns are checked by
 * model-patterns.ts, whose messages say what a valid one looks like.
 */
import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import { checkModelPatterns, checkModelString } from './model-patterns.js';

/** $1M: keeps nano-USD arithmetic far below 2^53. */
export const MAX_CAP_MICRO = 1_000_000_000_000;
const MAX_FALLBACKS = 5;

const NAME = 'name must be a non-empty string of at most 100 characters.';
const CAP = `spend_cap_micro_usd must be an integer from 0 to ${MAX_CAP_MICRO}, or null for no cap.`;
const PERIOD = 'budget_period must be one of "total", "day", "week", "month" (UTC calendar periods; weeks start on Monday).';
const TPM = 'rate_limit_tpm must be an integer from 1 to 1000000000 (tokens per minute), or null for no limit.';
const RPM = 'rate_limit_rpm must be an integer from 1 to 1000000 (requests per minute), or null for no limit.';

/** A zod step that runs one of the model-string checkers and reports its message as the issue. */
function checkedBy<T>(check: (value: unknown, param: string) => T, param: string) {
  return z.unknown().transform((value, ctx): T => {
    try {
      return check(value, param);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
      return z.NEVER;
    }
  });
}

/** One fallback model or a list of up to five, tried in order. */
function checkFallback(value: unknown, param: string): string | string[] {
  if (typeof value === 'string') return checkModelString(value, param);
  if (Array.isArray(value)) {
    if (value.length > MAX_FALLBACKS) throw invalidRequest(`${param} may list at most ${MAX_FALLBACKS} models.`, param);
    return value.map((v) => checkModelString(v, param));
  }
  throw invalidRequest(`${param} must be a model string, a list of them, or null.`, param);
}

export const keyInputSchema = z.object(
  {
    name: z.string({ error: NAME }).trim().min(1, { error: NAME }).max(100, { error: NAME }).optional(),
    allowed_models: checkedBy(checkModelPatterns, 'allowed_models').nullable().optional(),
    spend_cap_micro_usd: z
      .number({ error: CAP })
      .int({ error: CAP })
      .min(0, { error: CAP })
      .max(MAX_CAP_MICRO, { error: CAP })
      .nullable()
      .optional(),
    fallback_model: checkedBy(checkFallback, 'fallback_model').nullable().optional(),
    rate_limit_rpm: z
      .number({ error: RPM })
      .int({ error: RPM })
      .min(1, { error: RPM })
      .max(1_000_000, { error: RPM })
      .nullable()
      .optional(),
    budget_period: z.enum(['total', 'day', 'week', 'month'], { error: PERIOD }).optional(),
    rate_limit_tpm: z
      .number({ error: TPM })
      .int({ error: TPM })
      .min(1, { error: TPM })
      .max(1_000_000_000, { error: TPM })
      .nullable()
      .optional(),
  },
  { error: 'The request body must be a JSON object.' },
);

export type KeyInput = z.output<typeof keyInputSchema>;
