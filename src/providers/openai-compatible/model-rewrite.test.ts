import { describe, expect, it } from 'vitest';
import { rewriteModel } from './model-rewrite.js';

const MODEL = JSON.stringify('openai/gpt-4o');
const chunk = (rest: string, model = 'gpt-4o-2024-08-06'): string =>
  `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"${model}"${rest}}`;

/** The edit must mean exactly what setting `model` on the parsed object means. */
function expectSameAsParsed(text: string, edited: string | undefined): void {
  expect(edited).toBeDefined();
  const expected = JSON.parse(text) as Record<string, unknown>;
  expected.model = 'openai/gpt-4o';
  expect(JSON.parse(edited as string)).toEqual(expected);
}

describe('rewriteModel', () => {
  it('replaces the model of a chunk and of a completion, leaving every other byte alone', () => {
    const text = chunk(',"system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"\\"model\\": x"}}]');
    const edited = rewriteModel(text, 'chat.completion.chunk', 'gpt-4o-2024-08-06', MODEL);
    expect(edited).toBe(text.replace('"gpt-4o-2024-08-06"', MODEL));
    expectSameAsParsed(text, edited);
    const completion = '{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}';
    expectSameAsParsed(completion, rewriteModel(completion, 'chat.completion', 'm', MODEL));
  });

  it('escapes the public model as JSON', () => {
    const edited = rewriteModel(chunk(',"choices":[]'), 'chat.completion.chunk', 'gpt-4o-2024-08-06', JSON.stringify('custom/a"b'));
    expect((JSON.parse(edited as string) as { model: string }).model).toBe('custom/a"b');
  });

  it('refuses another layout, another object, or a value that is not the parsed one', () => {
    const spaced = '{"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}';
    expect(rewriteModel(spaced, 'chat.completion.chunk', 'm', MODEL)).toBeUndefined();
    const reordered = '{"object":"chat.completion.chunk","id":"c","created":1,"model":"m","choices":[]}';
    expect(rewriteModel(reordered, 'chat.completion.chunk', 'm', MODEL)).toBeUndefined();
    expect(rewriteModel(chunk(',"choices":[]'), 'chat.completion', 'gpt-4o-2024-08-06', MODEL)).toBeUndefined();
    expect(rewriteModel(chunk(',"choices":[]'), 'chat.completion.chunk', 'gpt-4o', MODEL)).toBeUndefined();
    expect(rewriteModel(chunk(',"choices":[]'), 'chat.completion.chunk', 'gpt-4o-2024-08-06-x', MODEL)).toBeUndefined();
  });

  it('refuses escapes in the head: a quote there may not be the delimiter it seems', () => {
    const text = '{"id":"a\\",\\"object\\":\\"chat.completion.chunk\\",\\"created\\":1,\\"model\\":\\"m","object":"chat.completion.chunk","created":1,"model":"x","choices":[]}';
    expect(rewriteModel(text, 'chat.completion.chunk', 'x', MODEL)).toBeUndefined();
    expect(rewriteModel(chunk(',"choices":[]', 'a\\u0062'), 'chat.completion.chunk', 'ab', MODEL)).toBeUndefined();
  });

  it('refuses a text with "model" again after the head (a repeated key would win)', () => {
    expect(rewriteModel(chunk(',"choices":[],"model":"gpt-4o-2024-08-06"'), 'chat.completion.chunk', 'gpt-4o-2024-08-06', MODEL)).toBeUndefined();
    expect(rewriteModel(chunk(',"choices":[{"delta":{"model":"x"}}]'), 'chat.completion.chunk', 'gpt-4o-2024-08-06', MODEL)).toBeUndefined();
  });
});
