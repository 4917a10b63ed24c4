import { describe, expect, it } from 'vitest';
import { jsonOf, recordingsIn } from '../../../test/helpers/recording.js';
import { buildGeminiModelList } from './models.js';

const recorded = recordingsIn(new URL('./__fixtures__/', import.meta.url));

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
    expect(parseResponse(jsonOf(recorded('models.response.http')))).toEqual(['gemini-2.5-flash', 'gemini-embedding-001']);
    expect(parseResponse({})).toEqual([]);
  });
});
