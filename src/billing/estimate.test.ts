import { describe, expect, it } from 'vitest';
import {
  estimateCutStreamCost,
  estimateEmbeddingTokensUpperBound,
  estimatePromptTokensUpperBound,
  GPT_4O_MINI_IMAGE_TOKENS_CEILING,
  IMAGE_TOKENS_CEILING,
  maxOutputTokensUpperBound,
  MESSAGE_OVERHEAD_TOKENS,
  REQUEST_OVERHEAD_TOKENS,
  TOOL_USE_OVERHEAD_TOKENS,
  utf8Bytes,
  worstCaseCostNanoUsd,
} from './estimate.js';
import type { ModelPrice } from './price-catalog.js';

const GPT_4O_MINI: ModelPrice = {
  model: 'openai/gpt-4o-mini',
  inputUsdPerMtok: 0.15,
  outputUsdPerMtok: 0.6,
  cachedInputUsdPerMtok: 0.075,
  source: 'catalog',
};

/**
 * Stand-ins for a real tokenizer, which is not a dependency: a pessimistic one that makes every
 * Unicode code point its own token, and the common characters ÷ 4 rule of thumb. Real tokenizers
 * merge characters, so both bound their counts from above for these samples; the estimate must stay
 * above both.
 */
const codePointTokens = (text: string): number => [...text].length;
const charsOver4Tokens = (text: string): number => Math.ceil(text.length / 4);

const SAMPLES: Record<string, string> = {
  ascii: 'The quick brown fox jumps over the lazy dog. '.repeat(40),
  cjk: '你好，世界。東京は日本の首都です。서울은 한국의 수도입니다。'.repeat(20),
  emoji: '👍🏽👨‍👩‍👧‍👦🎉🇫🇷 ok '.repeat(30),
  code: 'function f(x) {\n  return x.map((y) => y * 2);\n}\n'.repeat(25),
  mixed: 'Prix: 12,50 € — naïve café, Ελληνικά, русский, עברית, العربية'.repeat(10),
};

function chat(content: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'openai/gpt-4o', messages: [{ role: 'user', content }], ...extra };
}

/** A small deterministic PRNG so the monotonicity checks are repeatable. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('estimatePromptTokensUpperBound', () => {
  it('estimatePromptTokensUpperBound() counts UTF-8 bytes plus message and request overheads', () => {
    // 16 request + 8 message + "user" (4 bytes) + "Hello" (5 bytes).
    expect(estimatePromptTokensUpperBound(chat('Hello'))).toBe(REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + 9);
    // "日本" is 6 UTF-8 bytes, "👍" is 4.
    expect(estimatePromptTokensUpperBound(chat('日本👍'))).toBe(REQUEST_OVERHEAD_TOKENS + MESSAGE_OVERHEAD_TOKENS + 4 + 10);
  });

  it.each(Object.entries(SAMPLES))(
    'estimatePromptTokensUpperBound() is at least a per-character and a chars/4 count for %s text',
    (_name, text) => {
      const estimate = estimatePromptTokensUpperBound(chat(text));
      expect(estimate).toBeGreaterThanOrEqual(codePointTokens(text) + MESSAGE_OVERHEAD_TOKENS);
      expect(estimate).toBeGreaterThanOrEqual(charsOver4Tokens(text));
      expect(estimate).toBeGreaterThanOrEqual(utf8Bytes(text));
    },
  );

  it('estimatePromptTokensUpperBound() counts every string of a conversation with tools', () => {
    const args = JSON.stringify({ city: 'Zürich', units: 'metric' });
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const body = {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Zürich?', name: 'ann' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: args } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c": 21, "sky": "☀️ clear"}' },
      ],
      tools,
      tool_choice: 'auto',
    };
    const texts = [
      'You are terse.',
      'Weather in Zürich?',
      'ann',
      args,
      'get_weather',
      'call_1',
      '{"temp_c": 21, "sky": "☀️ clear"}',
    ];
    const estimate = estimatePromptTokensUpperBound(body);
    const textBytes = texts.reduce((sum, text) => sum + utf8Bytes(text), 0);
    expect(estimate).toBeGreaterThanOrEqual(
      textBytes + utf8Bytes(JSON.stringify(tools)) + TOOL_USE_OVERHEAD_TOKENS + 4 * MESSAGE_OVERHEAD_TOKENS,
    );
    const withoutTools = estimatePromptTokensUpperBound({ ...body, tools: undefined, tool_choice: undefined });
    expect(estimate - withoutTools).toBe(utf8Bytes(JSON.stringify(tools)) + utf8Bytes('"auto"') + TOOL_USE_OVERHEAD_TOKENS);
  });

  it('estimatePromptTokensUpperBound() adds the tool prompt allowance for a JSON schema response format', () => {
    const format = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
    const plain = estimatePromptTokensUpperBound(chat('hi'));
    expect(estimatePromptTokensUpperBound(chat('hi', { response_format: format }))).toBe(
      plain + utf8Bytes(JSON.stringify(format)) + TOOL_USE_OVERHEAD_TOKENS,
    );
    expect(estimatePromptTokensUpperBound(chat('hi', { response_format: { type: 'json_object' } }))).toBe(
      plain + utf8Bytes('{"type":"json_object"}'),
    );
  });

  it('estimatePromptTokensUpperBound() gives URL and data-URL images the same fixed ceiling', () => {
    const textOnly = estimatePromptTokensUpperBound(chat([{ type: 'text', text: 'What is this?' }]));
    const withUrl = estimatePromptTokensUpperBound(
      chat([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
      ]),
    );
    const megabyte = 'A'.repeat(1_000_000);
    const withDataUrl = estimatePromptTokensUpperBound(
      chat([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${megabyte}`, detail: 'high' } },
      ]),
    );
    expect(withUrl).toBe(withDataUrl);
    expect(withUrl - textOnly).toBe(IMAGE_TOKENS_CEILING + 4);
  });

  it('estimatePromptTokensUpperBound() uses the larger image ceiling for gpt-4o-mini', () => {
    const image = { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } };
    const mini = estimatePromptTokensUpperBound(chat([image], { model: 'openai/gpt-4o-mini' }));
    const snapshot = estimatePromptTokensUpperBound(chat([image], { model: 'openai/gpt-4o-mini-2024-07-18' }));
    const other = estimatePromptTokensUpperBound(chat([image], { model: 'openai/gpt-4o' }));
    expect(mini - other).toBe(GPT_4O_MINI_IMAGE_TOKENS_CEILING - IMAGE_TOKENS_CEILING);
    expect(snapshot).toBe(mini);
  });

  it('estimatePromptTokensUpperBound() bounds a body without messages by its JSON size', () => {
    expect(estimatePromptTokensUpperBound('hello')).toBe(REQUEST_OVERHEAD_TOKENS + 7);
    expect(estimatePromptTokensUpperBound(undefined)).toBe(REQUEST_OVERHEAD_TOKENS);
    const noMessages = { model: 'openai/gpt-4o', prompt: 'x'.repeat(100) };
    expect(estimatePromptTokensUpperBound(noMessages)).toBe(REQUEST_OVERHEAD_TOKENS + utf8Bytes(JSON.stringify(noMessages)));
  });

  it('estimatePromptTokensUpperBound() survives deeply nested content', () => {
    let nested: unknown = 'leaf';
    for (let depth = 0; depth < 100_000; depth += 1) nested = [nested];
    expect(estimatePromptTokensUpperBound(chat([{ type: 'text', text: nested }]))).toBeGreaterThanOrEqual(4);
    expect(estimatePromptTokensUpperBound({ messages: 'not an array', nested })).toBeGreaterThanOrEqual(4);
  });

  it('estimatePromptTokensUpperBound() never decreases as a conversation grows', () => {
    const random = prng(42);
    const alphabet = ['a', 'é', '字', '🙂', ' ', '\n', '"', '\\'];
    const messages: Record<string, unknown>[] = [];
    let previous = estimatePromptTokensUpperBound({ model: 'openai/gpt-4o', messages });
    for (let step = 0; step < 200; step += 1) {
      const length = Math.floor(random() * 50);
      let text = '';
      for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(random() * alphabet.length)] ?? '';
      const roll = random();
      if (roll < 0.4 || messages.length === 0) {
        messages.push({ role: 'user', content: text });
      } else if (roll < 0.7) {
        // Grow the last text message (the only kind whose content is a string).
        const last = messages.findLast((message) => typeof message.content === 'string');
        if (last !== undefined) last.content = `${String(last.content)}${text}`;
      } else if (roll < 0.9) {
        messages.push({
          role: 'user',
          content: [
            { type: 'text', text },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        });
      } else {
        messages.push({
          role: 'assistant',
          tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: text } }],
        });
      }
      const next = estimatePromptTokensUpperBound({ model: 'openai/gpt-4o', messages });
      expect(next).toBeGreaterThanOrEqual(previous);
      previous = next;
    }
  });
});

describe('estimateEmbeddingTokensUpperBound', () => {
  it('estimateEmbeddingTokensUpperBound() bounds a string by its bytes', () => {
    expect(estimateEmbeddingTokensUpperBound('hello')).toBe(7);
    for (const text of Object.values(SAMPLES)) {
      expect(estimateEmbeddingTokensUpperBound(text)).toBeGreaterThanOrEqual(codePointTokens(text));
    }
  });

  it('estimateEmbeddingTokensUpperBound() sums a list of strings', () => {
    expect(estimateEmbeddingTokensUpperBound(['hello', '世界'])).toBe(7 + 8);
    expect(estimateEmbeddingTokensUpperBound([])).toBe(0);
  });

  it('estimateEmbeddingTokensUpperBound() counts token ids one token each', () => {
    expect(estimateEmbeddingTokensUpperBound([1, 2, 3])).toBe(5);
    expect(estimateEmbeddingTokensUpperBound([[1, 2], [3]])).toBe(4 + 3);
  });

  it('estimateEmbeddingTokensUpperBound() bounds anything else by its JSON size', () => {
    expect(estimateEmbeddingTokensUpperBound({ text: 'hi' })).toBe(2 + utf8Bytes('{"text":"hi"}'));
  });

  it('estimateEmbeddingTokensUpperBound() grows with every added input', () => {
    const inputs: string[] = [];
    let previous = estimateEmbeddingTokensUpperBound(inputs);
    for (const text of ['', 'a', '字', '🙂🙂']) {
      inputs.push(text);
      const next = estimateEmbeddingTokensUpperBound(inputs);
      expect(next).toBeGreaterThan(previous);
      previous = next;
    }
  });
});

describe('maxOutputTokensUpperBound', () => {
  it('maxOutputTokensUpperBound() takes the smaller of the request and the model limit', () => {
    expect(maxOutputTokensUpperBound({ max_tokens: 500 }, 16384)).toBe(500);
    expect(maxOutputTokensUpperBound({ max_tokens: 100_000 }, 16384)).toBe(16384);
    expect(maxOutputTokensUpperBound({ max_completion_tokens: 300, max_tokens: 900 }, 16384)).toBe(300);
  });

  it('maxOutputTokensUpperBound() falls back to whichever limit is known', () => {
    expect(maxOutputTokensUpperBound({}, 16384)).toBe(16384);
    expect(maxOutputTokensUpperBound({ max_tokens: 700 }, null)).toBe(700);
    expect(maxOutputTokensUpperBound({}, null)).toBeUndefined();
    expect(maxOutputTokensUpperBound({ max_tokens: -1 }, null)).toBeUndefined();
  });

  it('maxOutputTokensUpperBound() multiplies by n choices', () => {
    expect(maxOutputTokensUpperBound({ max_tokens: 100, n: 3 }, 16384)).toBe(300);
  });
});

describe('worstCaseCostNanoUsd', () => {
  it('worstCaseCostNanoUsd() prices the prompt at the input price and every output token', () => {
    // 1,000 × 150,000 pico + 16,384 × 600,000 pico = 150,000,000 + 9,830,400,000 = 9,980,400,000 pico.
    expect(worstCaseCostNanoUsd({ promptTokensUpperBound: 1000, maxOutputTokens: 16384, price: GPT_4O_MINI })).toBe(9_980_400);
  });

  it('worstCaseCostNanoUsd() never assumes a cache hit', () => {
    const freeCache = { ...GPT_4O_MINI, cachedInputUsdPerMtok: 0 };
    expect(worstCaseCostNanoUsd({ promptTokensUpperBound: 1000, maxOutputTokens: 0, price: freeCache })).toBe(150_000);
  });

  it('worstCaseCostNanoUsd() rounds up', () => {
    const tiny = { ...GPT_4O_MINI, inputUsdPerMtok: 0.000001, outputUsdPerMtok: 0 };
    expect(worstCaseCostNanoUsd({ promptTokensUpperBound: 16, maxOutputTokens: 10, price: tiny })).toBe(1);
  });
});

describe('estimateCutStreamCost', () => {
  it('estimateCutStreamCost() bills the prompt bound and one token per streamed byte', () => {
    // 33 × 150,000 + 10 × 600,000 = 4,950,000 + 6,000,000 = 10,950,000 pico = 10,950 nano.
    expect(estimateCutStreamCost({ promptTokensUpperBound: 33, completionBytes: 10, price: GPT_4O_MINI })).toBe(10_950);
  });

  it('estimateCutStreamCost() is never 0 for a priced model, even before any text arrived', () => {
    const prompt = estimatePromptTokensUpperBound(chat(''));
    const tiny = { ...GPT_4O_MINI, inputUsdPerMtok: 0.000001, outputUsdPerMtok: 0.000001 };
    expect(estimateCutStreamCost({ promptTokensUpperBound: prompt, completionBytes: 0, price: tiny })).toBeGreaterThan(0);
    expect(estimateCutStreamCost({ promptTokensUpperBound: prompt, completionBytes: 0, price: GPT_4O_MINI })).toBeGreaterThan(0);
  });

  it('estimateCutStreamCost() is 0 for a free model', () => {
    const free = { ...GPT_4O_MINI, inputUsdPerMtok: 0, outputUsdPerMtok: 0, cachedInputUsdPerMtok: null };
    expect(estimateCutStreamCost({ promptTokensUpperBound: 100, completionBytes: 100, price: free })).toBe(0);
  });

  it('estimateCutStreamCost() grows with the streamed text', () => {
    let previous = 0;
    for (const bytes of [0, 1, 10, 1000]) {
      const cost = estimateCutStreamCost({ promptTokensUpperBound: 50, completionBytes: bytes, price: GPT_4O_MINI });
      expect(cost).toBeGreaterThanOrEqual(previous);
      previous = cost;
    }
  });
});
