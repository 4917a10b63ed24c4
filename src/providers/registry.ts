/**
 * The only file that lists the providers: their default base URLs, key formats, where to get a key,
 * and the adapter that speaks their protocol. Generic code asks this table instead of comparing ids.
 */
import { anthropicAdapter } from './anthropic/adapter.js';
import { geminiAdapter } from './gemini/adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';
import type { ProviderAdapter, ProviderId } from './provider.js';

export interface ProviderInfo {
  id: ProviderId;
  label: string;
  /** The value the provider's official SDK takes as its base URL. Empty for custom (required). */
  defaultBaseUrl: string;
  /** A prefix every key of this provider starts with, if the format is known. */
  keyPrefix: string | undefined;
  /** Human description of the key format. */
  keyFormat: string;
  /** Where to create a key. */
  keyUrl: string | undefined;
  /** Whether an empty key is allowed (self-hosted servers without auth). */
  keyOptional: boolean;
  adapter: ProviderAdapter;
}

const openAICompatible = (id: 'openai' | 'groq' | 'mistral' | 'together' | 'fireworks' | 'custom') =>
  createOpenAICompatibleAdapter(id);

export const PROVIDERS: Readonly<Record<ProviderId, ProviderInfo>> = {
  openai: {
    id: 'openai',
    label: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    keyPrefix: 'sk-',
    keyFormat: 'sk-...',
    keyUrl: 'https://platform.openai.com/api-keys',
    keyOptional: false,
    adapter: openAICompatible('openai'),
  },
  anthropic: {
    id: 'anthropic',
    label: 'Anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    keyPrefix: 'sk-ant-',
    keyFormat: 'sk-ant-...',
    keyUrl: 'https://console.anthropic.com/settings/keys',
    keyOptional: false,
    adapter: anthropicAdapter,
  },
  gemini: {
    id: 'gemini',
    label: 'Google Gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com',
    keyPrefix: 'AIza',
    keyFormat: 'AIza...',
    keyUrl: 'https://aistudio.google.com/apikey',
    keyOptional: false,
    adapter: geminiAdapter,
  },
  groq: {
    id: 'groq',
    label: 'Groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    keyPrefix: 'gsk_',
    keyFormat: 'gsk_...',
    keyUrl: 'https://console.groq.com/keys',
    keyOptional: false,
    adapter: openAICompatible('groq'),
  },
  mistral: {
    id: 'mistral',
    label: 'Mistral',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    keyPrefix: undefined,
    keyFormat: '(opaque)',
    keyUrl: 'https://console.mistral.ai/api-keys/',
    keyOptional: false,
    adapter: openAICompatible('mistral'),
  },
  together: {
    id: 'together',
    label: 'Together AI',
    defaultBaseUrl: 'https://api.together.xyz/v1',
    keyPrefix: undefined,
    keyFormat: '(opaque)',
    keyUrl: 'https://api.together.xyz/settings/api-keys',
    keyOptional: false,
    adapter: openAICompatible('together'),
  },
  fireworks: {
    id: 'fireworks',
    label: 'Fireworks AI',
    defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
    keyPrefix: 'fw_',
    keyFormat: 'fw_...',
    keyUrl: 'https://fireworks.ai/account/api-keys',
    keyOptional: false,
    adapter: openAICompatible('fireworks'),
  },
  custom: {
    id: 'custom',
    label: 'Custom (vLLM, Ollama, …)',
    defaultBaseUrl: '',
    keyPrefix: undefined,
    keyFormat: 'any / none',
    keyUrl: undefined,
    keyOptional: true,
    adapter: openAICompatible('custom'),
  },
};

/** Type guard for provider ids. */
export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === 'string' && Object.hasOwn(PROVIDERS, value);
}

// Most specific first: `sk-ant-` is also `sk-`.
const PREFIX_ORDER: ProviderId[] = ['anthropic', 'gemini', 'groq', 'fireworks', 'openai'];

/** The provider whose key format this key plainly has, if any. */
export function detectKeyProvider(key: string): ProviderId | undefined {
  return PREFIX_ORDER.find((id) => {
    const prefix = PROVIDERS[id].keyPrefix;
    return prefix !== undefined && key.startsWith(prefix);
  });
}
