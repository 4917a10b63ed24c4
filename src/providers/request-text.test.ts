import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editTopLevel, type MemberEdits } from './request-text.js';

const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x7e47);

/** What the edited text must parse to: the object with each edit made (undefined: left out). */
function edited(value: Record<string, unknown>, edits: MemberEdits): Record<string, unknown> {
  const out: Record<string, unknown> = Object.assign({}, value);
  for (const name in edits) {
    const text = edits[name];
    if (text === undefined) delete out[name];
    else out[name] = JSON.parse(text) as unknown;
  }
  return out;
}

const key = fc.oneof(
  { arbitrary: fc.constantFrom('model', 'stream', 'stream_options', 'messages', 'temperature', 'x"y', 'a\\b', 'é'), weight: 3 },
  { arbitrary: fc.string({ maxLength: 8 }), weight: 1 },
);
const object = fc.dictionary(key, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 8 });
const edit = fc.dictionary(
  fc.constantFrom('model', 'stream', 'stream_options', 'max_tokens'),
  fc.option(
    fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
    { nil: undefined },
  ),
);

describe('editTopLevel', () => {
  it('gives text that parses to the object with the edits made, in any layout', () => {
    fc.assert(
      fc.property(object, edit, fc.constantFrom(0, 2, '\t', ' '), (value, edits, indent) => {
        const text = JSON.stringify(value, null, indent);
        const out = editTopLevel(text, edits);
        // Keys written with an escape are left to the caller (a quote or backslash in a key needs one).
        if (Object.keys(value).some((k) => k.includes('"') || k.includes('\\'))) {
          expect(out).toBeUndefined();
          return;
        }
        expect(out).toBeDefined();
        expect(JSON.parse(out as string)).toStrictEqual(edited(JSON.parse(text) as Record<string, unknown>, edits));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('keeps the members it does not edit as the client wrote them', () => {
    const text =
      '{ "model" : "openai/gpt-4o" ,\n "messages":[{"role":"user","content":"a \\"quoted\\" \\\\ word"}], "seed": 12345678901234567890 }';
    expect(editTopLevel(text, { model: '"gpt-4o"', stream: undefined })).toBe(
      '{"model" : "gpt-4o","messages":[{"role":"user","content":"a \\"quoted\\" \\\\ word"}],"seed": 12345678901234567890}',
    );
  });

  it('adds a member that is not there, and leaves out one set to undefined', () => {
    expect(editTopLevel('{"stream":true,"model":"m"}', { stream: undefined, stream_options: '{"include_usage":true}' })).toBe(
      '{"model":"m","stream_options":{"include_usage":true}}',
    );
    expect(editTopLevel('{"stream":false}', { stream: undefined, model: '"m"' })).toBe('{"model":"m"}');
    expect(editTopLevel(' {} ', { model: '"m"' })).toBe('{"model":"m"}');
  });

  it('refuses text whose top level could mean something other than the parsed object', () => {
    // A second model: JSON.parse keeps the last, an upstream might keep the first.
    expect(editTopLevel('{"model":"gpt-5-pro","model":"openai/gpt-4o-mini"}', { model: '"gpt-4o-mini"' })).toBeUndefined();
    // A key spelled with an escape could be any key.
    expect(editTopLevel('{"mod\\u0065l":"gpt-5-pro","model":"x"}', { model: '"y"' })).toBeUndefined();
    expect(editTopLevel('["model"]', { model: '"y"' })).toBeUndefined();
    expect(editTopLevel('\ufeff{"model":"x"}', { model: '"y"' })).toBeUndefined();
  });
});
