/**
 * Resolves a public model string (`<provider name>/<model id>`, split at the first `/`) against an
 * account's providers, and prices it.
 */
import { GatewayError, invalidRequest } from '../errors.js';
import { findCatalogModel, resolvePrice, type CatalogModel, type ModelPrice } from '../billing/price-catalog.js';
import type { ProviderRoute } from '../keys/provider-credentials.js';
import { PROVIDERS, type ProviderInfo } from '../providers/registry.js';

export interface ModelRoute {
  /** The public model string, e.g. `together/meta-llama/Llama-3.3-70B-Instruct-Turbo`. */
  model: string;
  upstreamModel: string;
  route: ProviderRoute;
  info: ProviderInfo;
  /** The catalog entry of the underlying model, if any (max output tokens, kind). */
  catalog: CatalogModel | undefined;
  price: ModelPrice | undefined;
}

/**
 * Model ids are printable ASCII at every provider; the model string also travels in a response
 * header (`x-zai-model`), which cannot carry anything else.
 */
const MODEL_CHARS = /^[\x21-\x7e]+$/;

/** Throws 400 unless the model string has the form `provider/model`; returns the index of the `/`. */
export function checkModelForm(model: string): number {
  if (!MODEL_CHARS.test(model)) {
    throw invalidRequest('model may contain only printable ASCII characters, without spaces.', 'model');
  }
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) {
    throw invalidRequest(
      `model must be of the form "provider/model" (e.g. "openai/gpt-4o-mini"); got "${model.slice(0, 100)}".`,
      'model',
    );
  }
  return slash;
}

/** Splits and resolves a model string; throws 400 invalid_request / provider_not_configured. */
export function resolveModel(
  model: string,
  routes: ReadonlyMap<string, ProviderRoute>,
  customPrices: ReadonlyMap<string, ModelPrice>,
): ModelRoute {
  const slash = checkModelForm(model);
  const name = model.slice(0, slash);
  const upstreamModel = model.slice(slash + 1);
  const route = routes.get(name);
  if (route === undefined) {
    throw new GatewayError({
      status: 400,
      code: 'provider_not_configured',
      param: 'model',
      message: `No provider named "${name.slice(0, 64)}" is configured for this account. Add its key under Providers (POST /api/providers).`,
    });
  }
  // Catalog entries are keyed by provider id; a provider may be configured under another name.
  const canonical = `${route.provider}/${upstreamModel}`;
  const catalog = route.provider === 'custom' ? undefined : findCatalogModel(canonical);
  const price =
    resolvePrice(model, customPrices) ?? (route.provider === 'custom' ? undefined : resolvePrice(canonical, customPrices));
  return { model, upstreamModel, route, info: PROVIDERS[route.provider], catalog, price };
}
