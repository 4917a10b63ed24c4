import { describe, expect, it } from 'vitest';
import { findChatHead, rewriteModel } from './model-rewrite.js';

const MODEL = JSON.stringify('openai/gpt-4o');
const completion = (rest: string, model = 'gpt-4o-2024-08-06'): string =>
  `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"${model}"${rest}}`;

/** The edit must mean exactly what setting `model` on the parsed object means. */
function expectSameAsParsed(text: string, edited: string | undefined): void {
  expect(edited).toBeDefined();
  const expected = JSON.parse(text) as Record<string, unknown>;
  expected.model = 'openai/gpt-4o';
  expect(JSON.parse(edited as string)).toEqual(expected);
}

const noBackslash = (text: string): number => (text.includes('\\') ? text.indexOf('\\') : text.length);

describe('findChatHead', () => {
  it("finds the id, created and model of OpenAI's layout, for a completion and a chunk", () => {
    const text = '{"id":"c-1","object":"chat.completion.chunk","created":17,"model":"m-2","choices":[]}';
    const head = findChatHead(text, 'chat.completion.chunk', noBackslash(text));
    expect(head).toBeDefined();
    const { idStart, idEnd, createdStart, createdEnd, modelStart, modelEnd } = head!;
    expect([text.slice(idStart, idEnd), text.slice(createdStart, createdEnd), text.slice(modelStart, modelEnd)]).toEqual([
      'c-1',
      '17',
      'm-2',
    ]);
    expect(findChatHead(text, 'chat.completion', noBackslash(text))).toBeUndefined();
  });

  it('refuses a created that is not a plain integer, and escapes in the id or model', () => {
    for (const created of ['01', '-1', '1.5', '1234567890123456', '""']) {
      const text = `{"id":"c","object":"chat.completion","created":${created},"model":"m","choices":[]}`;
      expect(findChatHead(text, 'chat.completion', noBackslash(text)), created).toBeUndefined();
    }
    const escapedId =
      '{"id":"a\\",\\"object\\":\\"chat.completion\\",\\"created\\":1,\\"model\\":\\"m","object":"chat.completion","created":1,"model":"x","choices":[]}';
    expect(findChatHead(escapedId, 'chat.completion', noBackslash(escapedId))).toBeUndefined();
    const escapedModel = completion(',"choices":[]', 'a\\u0062');
    expect(findChatHead(escapedModel, 'chat.completion', noBackslash(escapedModel))).toBeUndefined();
  });
});

describe('rewriteModel', () => {
  it('replaces the model, leaving every other byte alone', () => {
    const text = completion(',"system_fingerprint":"fp_1","choices":[{"index":0,"message":{"content":"\\"model\\": x"}}]');
    const edited = rewriteModel(text, 'gpt-4o-2024-08-06', MODEL);
    expect(edited).toBe(text.replace('"gpt-4o-2024-08-06"', MODEL));
    expectSameAsParsed(text, edited);
  });

  it('escapes the public model as JSON', () => {
    const edited = rewriteModel(completion(',"choices":[]'), 'gpt-4o-2024-08-06', JSON.stringify('custom/a"b'));
    expect((JSON.parse(edited as string) as { model: string }).model).toBe('custom/a"b');
  });

  it('refuses another layout, or a value that is not the parsed one', () => {
    const spaced = '{"id": "c", "object": "chat.completion", "created": 1, "model": "m", "choices": []}';
    expect(rewriteModel(spaced, 'm', MODEL)).toBeUndefined();
    const reordered = '{"object":"chat.completion","id":"c","created":1,"model":"m","choices":[]}';
    expect(rewriteModel(reordered, 'm', MODEL)).toBeUndefined();
    expect(rewriteModel(completion(',"choices":[]'), 'gpt-4o', MODEL)).toBeUndefined();
    expect(rewriteModel(completion(',"choices":[]'), 'gpt-4o-2024-08-06-x', MODEL)).toBeUndefined();
  });

  it('refuses escapes in the head, even when the text has a backslash only later', () => {
    expect(rewriteModel(completion(',"choices":[]', 'a\\u0062'), 'ab', MODEL)).toBeUndefined();
    const later = completion(',"choices":[{"message":{"content":"a\\nb"}}]');
    expectSameAsParsed(later, rewriteModel(later, 'gpt-4o-2024-08-06', MODEL));
  });

  it('refuses a text with "model" again after the head (a repeated key would win)', () => {
    expect(rewriteModel(completion(',"choices":[],"model":"gpt-4o-2024-08-06"'), 'gpt-4o-2024-08-06', MODEL)).toBeUndefined();
    expect(rewriteModel(completion(',"choices":[{"message":{"model":"x"}}]'), 'gpt-4o-2024-08-06', MODEL)).toBeUndefined();
  });
});
