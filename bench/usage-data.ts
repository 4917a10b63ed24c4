/**
 * Synthetic usage rows for the usage benchmarks: a team's traffic, deterministic (seeded). Twelve
 * keys each use three or four of ten models; embeddings models come in through `embeddings`,
 * Anthropic models mostly through `messages`, GPT-4o partly through `responses`; about 4 % of
 * requests fail (429, 400, 502) and 2 % are served by a fallback model; latencies are log-normal
 * (chat ~800 ms, embeddings ~120 ms), half the chats stream (with a time to first token).
 */
import type { UsageEndpoint, UsageTable } from '../src/store/schema.js';

interface ModelSpec {
  model: string;
  provider: string;
  endpoints: Array<[UsageEndpoint, number]>;
  medianMs: number;
  /** Nano-USD per prompt and completion token. */
  inNano: number;
  outNano: number;
}

const MODELS: ModelSpec[] = [
  {
    model: 'openai/gpt-4o-mini',
    provider: 'openai',
    endpoints: [['chat.completions', 1]],
    medianMs: 700,
    inNano: 150,
    outNano: 600,
  },
  {
    model: 'openai/gpt-4o',
    provider: 'openai',
    endpoints: [
      ['chat.completions', 0.7],
      ['responses', 0.3],
    ],
    medianMs: 1200,
    inNano: 2500,
    outNano: 10_000,
  },
  {
    model: 'openai/text-embedding-3-small',
    provider: 'openai',
    endpoints: [['embeddings', 1]],
    medianMs: 120,
    inNano: 20,
    outNano: 0,
  },
  {
    model: 'anthropic/claude-sonnet-4-5',
    provider: 'anthropic',
    endpoints: [
      ['messages', 0.6],
      ['chat.completions', 0.4],
    ],
    medianMs: 1500,
    inNano: 3000,
    outNano: 15_000,
  },
  {
    model: 'anthropic/claude-haiku-4-5',
    provider: 'anthropic',
    endpoints: [
      ['messages', 0.6],
      ['chat.completions', 0.4],
    ],
    medianMs: 600,
    inNano: 1000,
    outNano: 5000,
  },
  {
    model: 'gemini/gemini-2.5-flash',
    provider: 'gemini',
    endpoints: [['chat.completions', 1]],
    medianMs: 650,
    inNano: 300,
    outNano: 2500,
  },
  { model: 'gemini/text-embedding-004', provider: 'gemini', endpoints: [['embeddings', 1]], medianMs: 90, inNano: 0, outNano: 0 },
  {
    model: 'groq/llama-3.3-70b-versatile',
    provider: 'groq',
    endpoints: [['chat.completions', 1]],
    medianMs: 300,
    inNano: 590,
    outNano: 790,
  },
  {
    model: 'mistral/mistral-large-latest',
    provider: 'mistral',
    endpoints: [['chat.completions', 1]],
    medianMs: 1100,
    inNano: 2000,
    outNano: 6000,
  },
  {
    model: 'together/meta-llama/Llama-3.3-70B-Instruct-Turbo',
    provider: 'together',
    endpoints: [['chat.completions', 1]],
    medianMs: 900,
    inNano: 880,
    outNano: 880,
  },
];

export const KEY_COUNT = 12;

/** Small, fast, seeded PRNG (mulberry32): the same rows on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RowFactory {
  /** One row at `createdAt` for `userId`; ids are `req_` + prefix + counter. */
  row(createdAt: number): UsageTable;
}

export function keyIds(userId: string): string[] {
  return Array.from({ length: KEY_COUNT }, (_, k) => `key_${userId}_${k}`);
}

export function rowFactory(userId: string, seed: number, idPrefix = 'b'): RowFactory {
  const random = prng(seed);
  const keys = keyIds(userId);
  // Each key uses three or four models, picked deterministically.
  const keyModels = keys.map((_, k) => {
    const count = 3 + (k % 2);
    return Array.from({ length: count }, (_, j) => MODELS[(k * 3 + j * 2) % MODELS.length] as ModelSpec);
  });
  const gauss = (): number => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  let counter = 0;
  return {
    row(createdAt) {
      const k = Math.floor(random() * keys.length);
      const models = keyModels[k] as ModelSpec[];
      const spec = models[Math.floor(random() * models.length)] as ModelSpec;
      let endpoint = spec.endpoints[0]?.[0] ?? 'chat.completions';
      let pick = random();
      for (const [e, share] of spec.endpoints) {
        if (pick < share) {
          endpoint = e;
          break;
        }
        pick -= share;
      }
      const roll = random();
      const status = roll < 0.02 ? 429 : roll < 0.03 ? 400 : roll < 0.04 ? 502 : 200;
      const fallback =
        status === 200 && random() < 0.02 ? (models[(models.indexOf(spec) + 1) % models.length] as ModelSpec) : spec;
      const chat = endpoint !== 'embeddings';
      const stream = chat && random() < 0.5;
      const latency = Math.max(1, Math.round(spec.medianMs * Math.exp(0.6 * gauss())));
      const ok = status === 200;
      const prompt = ok ? Math.round(50 + random() * 3000) : 0;
      const completion = ok && chat ? Math.round(10 + random() * 800) : 0;
      counter += 1;
      return {
        id: `req_${idPrefix}${counter.toString(36)}`,
        created_at: createdAt,
        user_id: userId,
        key_id: keys[k] as string,
        model_requested: spec.model,
        model_served: ok ? fallback.model : null,
        provider: status === 400 ? null : fallback.provider,
        status,
        error_code:
          status === 429 ? 'rate_limit_exceeded' : status === 400 ? 'invalid_request' : status === 502 ? 'upstream_error' : null,
        prompt_tokens: prompt,
        completion_tokens: completion,
        cached_tokens: ok && random() < 0.2 ? Math.round(prompt / 2) : 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        cost_nano_usd: prompt * fallback.inNano + completion * fallback.outNano,
        latency_ms: latency,
        ttft_ms: stream && ok ? Math.max(1, Math.round(latency * (0.2 + 0.3 * random()))) : null,
        stream: stream ? 1 : 0,
        attempts: fallback === spec ? 1 : 2,
        endpoint,
        pool_key_id: null,
        unpriced: 0,
        error_message: null,
        detail: null,
      };
    },
  };
}
