import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { checkModelForm } from './model-route.js';

describe('checkModelForm', () => {
  it('accepts provider/model strings as providers spell their ids', () => {
    expect(checkModelForm('openai/gpt-4o-mini')).toBe(6);
    expect(checkModelForm('together/meta-llama/Llama-3.3-70B-Instruct-Turbo')).toBe(8);
    expect(checkModelForm('ollama/llama3.2:latest')).toBe(6);
  });

  it('refuses a string without a provider or a model, and characters a header cannot carry', () => {
    for (const model of ['gpt-4o', '/gpt-4o', 'openai/', 'groq/m€', 'groq/a b', 'groq/a\u0001']) {
      let error: unknown;
      try {
        checkModelForm(model);
      } catch (err) {
        error = err;
      }
      expect(error, model).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(400);
      expect((error as GatewayError).param).toBe('model');
    }
  });
});
