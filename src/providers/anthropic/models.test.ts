import { describe, expect, it } from 'vitest';
import { listAnthropicModels } from './models.js';

describe('listAnthropicModels()', () => {
  it('listAnthropicModels() builds an authenticated GET for one page of every model', () => {
    const { call } = listAnthropicModels({ baseUrl: 'https://api.anthropic.com', apiKey: 'sk-ant-test' });
    expect(call).toEqual({
      method: 'GET',
      url: 'https://api.anthropic.com/v1/models?limit=1000',
      headers: { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    });
  });

  it('listAnthropicModels() parses the model ids and rejects other shapes', () => {
    const { parseResponse } = listAnthropicModels({ baseUrl: 'https://api.anthropic.com', apiKey: 'k' });
    const page = {
      data: [
        {
          type: 'model',
          id: 'claude-sonnet-4-5-20250929',
          display_name: 'Claude Sonnet 4.5',
          created_at: '2025-09-29T00:00:00Z',
        },
        { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
      ],
      has_more: false,
      first_id: 'claude-sonnet-4-5-20250929',
      last_id: 'claude-haiku-4-5-20251001',
    };
    expect(parseResponse(page)).toEqual(['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
    expect(() => parseResponse({ models: [] })).toThrow(/model list/);
  });
});
