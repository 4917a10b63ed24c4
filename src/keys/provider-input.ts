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

export const createProviderSchema = z.object(
  {
    provider: z.string({ error: 'provider is required: one of the provider ids, e.g. "openai" or "custom".' }),
    api_key: optionalString('api_key').transform((value) => value ?? ''),
    base_url: optionalString('base_url'),
    name: optionalString('name'),
  },
  { error: NOT_AN_OBJECT },
);

export const patchProviderSchema = z.object(
  { api_key: optionalString('api_key'), base_url: optionalString('base_url'), name: optionalString('name') },
  { error: NOT_AN_OBJECT },
);
