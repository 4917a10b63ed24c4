/**
 * The bodies of `POST /api/providers` and `PATCH /api/providers/:id`. A null field is the same as
 * an absent one; what the values must be (a known provider, a name's form, an allowed base URL) is
 * checked by ProviderCredentials, which knows the account.
 */
import { z } from 'zod';

const optionalString = (field: string) =>
  z
    .string({ error: `${field} must be a string.` })
    .nullish()
    .transform((value) => value ?? undefined);

const NOT_AN_OBJECT = 'The request body must be a JSON object.';

const weight = z
  .number({ error: 'weight must be a whole number from 1 to 100.' })
  .int({ error: 'weight must be a whole number from 1 to 100.' })
  .min(1, { error: 'weight must be a whole number from 1 to 100.' })
  .max(100, { error: 'weight must be a whole number from 1 to 100.' });

const label = z
  .string({ error: 'label must be a string.' })
  .max(100, { error: 'label must be at most 100 characters.' })
  .nullish()
  .transform((value) => (value === null || value === undefined ? undefined : value.trim()));

const affinity = z
  .boolean({ error: 'affinity must be true or false.' })
  .nullish()
  .transform((value) => value ?? undefined);

export const createProviderSchema = z.object(
  {
    provider: z.string({ error: 'provider is required: one of the provider ids, e.g. "openai" or "custom".' }),
    api_key: optionalString('api_key').transform((value) => value ?? ''),
    base_url: optionalString('base_url'),
    name: optionalString('name'),
    affinity,
  },
  { error: NOT_AN_OBJECT },
);

export const patchProviderSchema = z.object(
  {
    api_key: optionalString('api_key'),
    base_url: optionalString('base_url'),
    name: optionalString('name'),
    affinity,
  },
  { error: NOT_AN_OBJECT },
);

/** `POST /api/providers/:id/keys`: one more key for the pool. */
export const addPoolKeySchema = z.object(
  {
    api_key: optionalString('api_key').transform((value) => value ?? ''),
    label,
    weight: weight.nullish().transform((value) => value ?? 1),
  },
  { error: NOT_AN_OBJECT },
);

/** `PATCH /api/providers/:id/keys/:keyId`: label, weight, enabled, or the key itself replaced. */
export const patchPoolKeySchema = z.object(
  {
    api_key: optionalString('api_key'),
    label,
    weight: weight.nullish().transform((value) => value ?? undefined),
    enabled: z
      .boolean({ error: 'enabled must be true or false.' })
      .nullish()
      .transform((value) => value ?? undefined),
  },
  { error: NOT_AN_OBJECT },
);
