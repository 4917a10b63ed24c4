import { describe, expect, it } from 'vitest';
import { buildModelListTranslation } from './models.js';

describe('buildModelListTranslation', () => {
  it('buildModelListTranslation() sends an authenticated GET to {base}/models', () => {
    expect(buildModelListTranslation({ baseUrl: 'https://api.groq.com/openai/v1/', apiKey: 'gsk_x' }).call).toEqual({
      method: 'GET',
      url: 'https://api.groq.com/openai/v1/models',
      headers: { accept: 'application/json', authorization: 'Bearer gsk_x' },
    });
  });

  it('buildModelListTranslation() sends no authorization to a keyless server', () => {
    expect(buildModelListTranslation({ baseUrl: 'http://localhost:11434/v1', apiKey: '' }).call.headers).toEqual({
      accept: 'application/json',
    });
  });

  it('parseResponse() reads the ids of an OpenAI list', () => {
    const { parseResponse } = buildModelListTranslation({ baseUrl: 'https://api.openai.com/v1', apiKey: 'k' });
    expect(
      parseResponse({
        object: 'list',
        data: [
          { id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' },
          { id: 'text-embedding-3-small', object: 'model', created: 1705948997, owned_by: 'system' },
        ],
      }),
    ).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
  });

  it("parseResponse() tolerates Ollama's native list, a bare array and junk entries", () => {
    const { parseResponse } = buildModelListTranslation({ baseUrl: 'http://localhost:11434', apiKey: '' });
    expect(parseResponse({ models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }, { model: 'qwen3:8b' }] })).toEqual([
      'llama3.2:latest',
      'qwen3:8b',
    ]);
    expect(parseResponse([{ id: 'a' }, 'b', { id: '' }, null, { id: 'a' }])).toEqual(['a', 'b']);
  });

  it('parseResponse() throws a 502 protocol error for a body that is not a list', () => {
    const { parseResponse } = buildModelListTranslation({ baseUrl: 'http://h/v1', apiKey: '' });
    expect(() => parseResponse({ object: 'list' })).toThrow(expect.objectContaining({ status: 502, failure: 'protocol' }));
  });
});
