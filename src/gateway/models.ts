/**
 * GET /v1/models: the models this key may call. Built-in providers list their catalog models;
 * custom servers (vLLM, Ollama) list what the server itself reports, cached for a minute.
 * Also the provider test of `POST /api/providers/:id/test`, which makes the same model-list call.
 */
import type { Logger } from 'pino';
import { GatewayError } from '../errors.js';
import { catalogModelsFor } from '../billing/price-catalog.js';
import { isModelAllowed } from '../keys/model-patterns.js';
import type { ProviderCredentials, ProviderRoute } from '../keys/provider-credentials.js';
import type { PoolKey } from '../keys/key-pool.js';
import type { Model } from '../openai/types.js';
import { PROVIDERS } from '../providers/registry.js';
import type { KeyAuth } from '../keys/api-keys.js';
import { Cancellation } from './cancellation.js';
import { scrubSecret } from './scrub-secret.js';
import { readAnswer, type UpstreamClient } from './upstream-client.js';
import { parseUpstreamJson, upstreamError } from './upstream-error.js';

const CUSTOM_LIST_TTL_MS = 60_000;
const LIST_TIMEOUT_MS = 10_000;

export interface ModelsDeps {
  providers: ProviderCredentials;
  upstream: UpstreamClient;
  logger: Logger;
}

export interface ProviderTestResult {
  ok: boolean;
  status: number | null;
  latency_ms: number;
  message: string;
  models?: number;
}

export interface PoolKeyTestResult extends ProviderTestResult {
  key_id: string;
}

export class ModelLister {
  private readonly customCache = new Map<string, { at: number; ids: Promise<string[]> }>();

  constructor(private readonly deps: ModelsDeps) {}

  async list(auth: KeyAuth): Promise<{ object: 'list'; data: Model[] }> {
    const all = await this.listForUser(auth.userId);
    return { object: 'list', data: all.filter((m) => isModelAllowed(auth.allowedModels, m.id)) };
  }

  /** Every model the account's providers serve (the dashboard's model pickers). */
  async listForUser(userId: string): Promise<Model[]> {
    const routes = await this.deps.providers.routes(userId);
    const data: Model[] = [];
    for (const route of routes.values()) {
      if (route.provider === 'custom') {
        const ids = await this.customModels(route).catch((err: unknown) => {
          this.deps.logger.warn(
            { provider: route.name, err: err instanceof Error ? err.message : String(err) },
            'custom model list failed',
          );
          return [] as string[];
        });
        for (const id of ids) data.push({ id: `${route.name}/${id}`, object: 'model', created: 0, owned_by: route.name });
      } else {
        for (const model of catalogModelsFor(route.provider)) {
          const id = `${route.name}/${model.model.slice(model.model.indexOf('/') + 1)}`;
          data.push({ id, object: 'model', created: Math.floor(Date.parse(model.asOf) / 1000), owned_by: route.name });
        }
      }
    }
    return data;
  }

  /**
   * Tests every key of an entry's pool (or the one named), side by side. A key that passes is
   * ok again on every replica; one the provider refuses (401/403) is marked failing. The entry's
   * result is the first failure, else the first key's success.
   */
  async testPool(route: ProviderRoute, keyId?: string): Promise<ProviderTestResult & { keys: PoolKeyTestResult[] }> {
    const keys = keyId === undefined ? route.keys : route.keys.filter((k) => k.id === keyId);
    const pool = this.deps.providers.pool;
    const results = await Promise.all(
      keys.map(async (key) => {
        const result = await this.test(route, key);
        if (result.ok) pool.clear(key.id);
        else if (result.status === 401 || result.status === 403)
          pool.markFailing(key.id, result.status, `${result.status} test failed`);
        return { key_id: key.id, ...result };
      }),
    );
    const summary = results.find((r) => !r.ok) ?? results[0];
    if (summary === undefined) throw new GatewayError({ status: 404, code: 'not_found', message: 'Provider key not found.' });
    const { key_id: _, ...rest } = summary;
    return { ...rest, keys: results };
  }

  /** One authenticated model-list call, reported as ok / status / latency / the provider's message. */
  async test(route: ProviderRoute, key: PoolKey): Promise<ProviderTestResult> {
    const start = performance.now();
    let apiKey = '';
    try {
      apiKey = this.deps.providers.decryptKey(key);
      const result = await this.fetch(route, apiKey);
      const latency = Math.round(performance.now() - start);
      if (result.ok)
        return {
          ok: true,
          status: 200,
          latency_ms: latency,
          message: `OK: ${result.ids.length} ${result.ids.length === 1 ? 'model' : 'models'} available.`,
          models: result.ids.length,
        };
      // A refusal keeps the meaning the adapter gave it (Gemini answers a bad key with 400
      // API_KEY_INVALID: that is a 401); an outage keeps the provider's own status.
      const status = result.error.status < 500 ? result.error.status : result.status;
      return { ok: false, status, latency_ms: latency, message: result.error.message };
    } catch (err) {
      // Network failures (unreachable, timeout) have no HTTP status; a refused address is a 400.
      const message = err instanceof Error ? err.message : String(err);
      const refused = err instanceof GatewayError && err.code === 'upstream_address_not_allowed';
      return {
        ok: false,
        status: refused ? err.status : null,
        latency_ms: Math.round(performance.now() - start),
        message: scrubSecret(message, apiKey),
      };
    }
  }

  private customModels(route: ProviderRoute): Promise<string[]> {
    const key = this.deps.providers.pickKey(route);
    const cacheKey = `${route.id}:${route.baseUrl}:${route.updatedAt}`;
    const hit = this.customCache.get(cacheKey);
    if (hit && Date.now() - hit.at < CUSTOM_LIST_TTL_MS) return hit.ids;
    const ids = this.fetchIds(route, this.deps.providers.decryptKey(key));
    this.customCache.set(cacheKey, { at: Date.now(), ids });
    ids.catch(() => this.customCache.delete(cacheKey));
    return ids;
  }

  private async fetchIds(route: ProviderRoute, apiKey: string): Promise<string[]> {
    const result = await this.fetch(route, apiKey);
    if (!result.ok) throw result.error;
    return result.ids;
  }

  /** The model-list call; an error answer keeps the provider's own status (401 for a bad key). */
  private async fetch(
    route: ProviderRoute,
    apiKey: string,
  ): Promise<{ ok: true; ids: string[] } | { ok: false; status: number; error: GatewayError }> {
    const adapter = PROVIDERS[route.provider].adapter;
    const translation = adapter.listModels({ baseUrl: route.baseUrl, apiKey });
    const upstream = await this.deps.upstream.send(translation.call, Cancellation.after(LIST_TIMEOUT_MS), route.ownerRole);
    if (upstream.status < 200 || upstream.status >= 300) {
      return { ok: false, status: upstream.status, error: await upstreamError(adapter, upstream, apiKey) };
    }
    return {
      ok: true,
      ids: translation.parseResponse(parseUpstreamJson(await readAnswer(upstream, this.deps.upstream.limits.maxBodyBytes))),
    };
  }
}
