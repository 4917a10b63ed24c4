import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamedJsonParser } from './streamed-json.js';

/** Parses `text` fed in pieces cut at `cuts` (byte offsets). */
function parseInPieces(text: string, cuts: number[] = []): unknown {
  const bytes = Buffer.from(text);
  const parser = new StreamedJsonParser();
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const end = Math.min(Math.max(cut, at), bytes.length);
    parser.push(bytes.subarray(at, end));
    at = end;
  }
  parser.push(bytes.subarray(at));
  return parser.end();
}

/** What JSON.parse does with the text: the value, or that it throws. */
function outcome(run: () => unknown): { value: unknown } | { throws: true } {
  try {
    return { value: run() };
  } catch (err) {
    expect(err).toBeInstanceOf(SyntaxError);
    return { throws: true };
  }
}

const cutsOf = (text: string) => fc.array(fc.integer({ min: 0, max: Buffer.byteLength(text) }), { maxLength: 12 });

describe('StreamedJsonParser', () => {
  it('parses an embeddings answer split anywhere to what JSON.parse returns, its arrays element by element', () => {
    const text =
      '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-2e-7,3]},' +
      '{"object":"embedding","index":1,"embedding":"AAAAPw=="}],"model":"m","usage":{"prompt_tokens":2,"total_tokens":2}}';
    for (let cut = 0; cut <= text.length; cut += 1) expect(parseInPieces(text, [cut])).toEqual(JSON.parse(text));
    expect(
      parseInPieces(
        text,
        Array.from({ length: text.length }, (_, i) => i),
      ),
    ).toEqual(JSON.parse(text));
  });

  it('keeps JSON.parse semantics at the edges: repeated keys, __proto__, escapes in keys, nested and empty arrays', () => {
    const cases = [
      '{"data":[1],"data":[2,3]}',
      '{"data":[1],"data":"x"}',
      '{"__proto__":[1,2],"a":[]}',
      '{"d\\u0061ta":[{"a":[1,[2,{"b":"]"}]]}],"x\\"[":["[,]"]}',
      ' \n{ "a" : [ ] , "b" : [ 1 , 2 ] , "c" : { "d" : [ 3 ] } }\r\n\t',
      '{"emoji":["😀","é\\n"],"s":"a,b]"}',
      '{}',
      '[1,2,3]',
      '"just a string"',
      '42',
    ];
    for (const text of cases) {
      const parsed = parseInPieces(text, [3, 7, 11]);
      expect(parsed, text).toEqual(JSON.parse(text));
      if (text.includes('__proto__')) {
        expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
        expect(Object.hasOwn(parsed as object, '__proto__')).toBe(true);
      }
    }
  });

  it('rejects what JSON.parse rejects', () => {
    const cases = [
      '',
      '   ',
      '{',
      '{"data":[1,2}',
      '{"data":[1,]}',
      '{"data":[,1]}',
      '{"data":[1 2]}',
      '{"data":[1],}',
      '{"a":1}}',
      '{"a":1} x',
      '{"a":1}{"b":2}',
      '{"a":"unterminated}',
      '{[1]}',
      '{"a":[1]]',
      '{"a":[{]}]}',
    ];
    for (const text of cases) {
      expect(
        outcome(() => JSON.parse(text)),
        text,
      ).toEqual({ throws: true });
      expect(
        outcome(() => parseInPieces(text, [2, 5])),
        text,
      ).toEqual({ throws: true });
    }
  });

  it('agrees with JSON.parse on any JSON object, however it is spaced and cut', () => {
    const objects = fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 6 }), fc.jsonValue({ maxDepth: 3 })),
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(
        objects.chain((value) => {
          const text = JSON.stringify(value, null, 0);
          return fc.tuple(fc.constant(value), fc.constantFrom(text, JSON.stringify(value, null, 2)), cutsOf(text));
        }),
        ([, text, cuts]) => {
          expect(parseInPieces(text, cuts)).toEqual(JSON.parse(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on damaged text: it throws exactly when JSON.parse throws', () => {
    const damaged = fc
      .dictionary(fc.string({ maxLength: 4 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), { maxKeys: 3 })
      .chain((value) => {
        const text = JSON.stringify(value);
        return fc.tuple(
          fc.constant(text),
          fc.integer({ min: 0, max: text.length }),
          fc.integer({ min: 0, max: 3 }),
          fc.constantFrom('', ',', ']', '[', '}', '{', '"', '\\', ' ', '1'),
        );
      })
      .map(([text, at, drop, insert]) => text.slice(0, at) + insert + text.slice(at + drop));
    fc.assert(
      fc.property(
        damaged.chain((text) => fc.tuple(fc.constant(text), cutsOf(text))),
        ([text, cuts]) => {
          const expected = outcome(() => JSON.parse(text));
          expect(outcome(() => parseInPieces(text, cuts))).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
