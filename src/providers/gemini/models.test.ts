import { describe, expect, it } from 'vitest';
import { fixture } from './__fixtures__/fixture.js';
import { buildGeminiModelList } from './models.js';

describe('buildGeminiModelList()', () => {
  it('buildGeminiModelList() lists models with the key in a header and strips the models/ prefix', () => {
    const { call, parseResponse } = buildGeminiModelList({
      baseUrl: 'https://generativelanguage.googleapis.com/v1beta',
      apiKey: 'AIzaTestKey123',
    });
    expect(call).toEqual({
      method: 'GET',
      url: 'https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000',
      headers: { 'x-goog-api-key': 'AIzaTestKey123' },
    });
    expect(parseResponse(fixture('models.response.json'))).toEqual(['gemini-2.5-flash', 'gemini-embedding-001']);
    expect(parseResponse({})).toEqual([]);
  });
});
