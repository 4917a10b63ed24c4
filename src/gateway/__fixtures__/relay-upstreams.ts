/**
 * Test helper: the upstreams the stream relay is fuzzed with (recorded answers of all three
 * protocols through the real transforms, whole, cut, failing or refused) and a body like undici's
 * that plays one of them as scripted: split into reads, slow, failing mid-stream.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import type { ChatCompletionRequest } from '../../openai/types.js';
import { anthropicAdapter } from '../../providers/anthropic/adapter.js';
import { geminiAdapter } from '../../providers/gemini/adapter.js';
import { createOpenAICompatibleAdapter } from '../../providers/openai-compatible/adapter.js';
import { GROQ_STREAM } from '../../providers/openai-compatible/__fixtures__/groq-stream.js';
import { OPENAI_TEXT_STREAM } from '../../providers/openai-compatible/__fixtures__/openai-stream.js';
import type { ProviderAdapter, StreamTransform } from '../../providers/provider.js';
import type { Cancellation } from '../cancellation.js';
import type { UpstreamResponse } from '../upstream-client.js';
import { loadRecording } from '../../../test/helpers/recording.js';

/** Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs. */
export const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x4e1a);
const encoder = new TextEncoder();

/** `refused`: the upstream failed before any content, so the relay rejects and the caller may fall back. */
type Outcome = 'complete' | 'cut' | 'error' | 'refused';

export interface Upstream {
  name: string;
  create: TransformFactory;
  bytes: Uint8Array;
  outcome: Outcome;
}

interface TransformFactory {
  (includeUsage: boolean): StreamTransform;
  adapter: ProviderAdapter;
}

function transformFactory(adapter: ProviderAdapter, publicModel: string): TransformFactory {
  const create = (includeUsage: boolean): StreamTransform => {
    const request: ChatCompletionRequest = { model: publicModel, messages: [{ role: 'user', content: 'Hi' }], stream: true };
    return adapter
      .chat(
        {
          request,
          upstreamModel: publicModel.split('/')[1] ?? publicModel,
          publicModel,
          stream: true,
          includeUsage,
          maxOutputTokens: undefined,
        },
        {
          baseUrl: 'http://127.0.0.1:9',
          apiKey: 'sk-fuzz-0123456789abcdef',
        },
      )
      .createStream(true);
  };
  return Object.assign(create, { adapter });
}

const openai = transformFactory(createOpenAICompatibleAdapter('openai'), 'openai/gpt-4o-mini');
const anthropic = transformFactory(anthropicAdapter, 'anthropic/claude-sonnet-4-5');
const gemini = transformFactory(geminiAdapter, 'gemini/gemini-2.5-flash');

function file(path: string): string {
  return loadRecording(new URL(`../../providers/${path}`, import.meta.url)).body;
}

const OPENAI_BEFORE_FINISH = OPENAI_TEXT_STREAM.slice(
  0,
  OPENAI_TEXT_STREAM.lastIndexOf('data:', OPENAI_TEXT_STREAM.indexOf('"finish_reason":"stop"')),
);

export const UPSTREAMS: Upstream[] = [
  { name: 'openai text', create: openai, bytes: encoder.encode(OPENAI_TEXT_STREAM), outcome: 'complete' },
  { name: 'groq', create: openai, bytes: encoder.encode(GROQ_STREAM), outcome: 'complete' },
  { name: 'openai cut', create: openai, bytes: encoder.encode(OPENAI_BEFORE_FINISH), outcome: 'cut' },
  {
    name: 'openai error event',
    create: openai,
    bytes: encoder.encode(`${OPENAI_BEFORE_FINISH}data: {"error":{"message":"overloaded"}}\n\n`),
    outcome: 'error',
  },
  { name: 'openai only [DONE]', create: openai, bytes: encoder.encode('data: [DONE]\n\n'), outcome: 'complete' },
  {
    name: 'anthropic text',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-text.http')),
    outcome: 'complete',
  },
  {
    name: 'anthropic tools',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-tool-use.http')),
    outcome: 'complete',
  },
  {
    name: 'anthropic cut',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-cut.http')),
    outcome: 'cut',
  },
  {
    name: 'anthropic error',
    create: anthropic,
    bytes: encoder.encode(file('anthropic/__fixtures__/stream-error.http')),
    outcome: 'error',
  },
  {
    name: 'gemini text',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/text.stream.http')),
    outcome: 'complete',
  },
  {
    name: 'gemini tools',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/tool-call.stream.http')),
    outcome: 'complete',
  },
  {
    name: 'gemini blocked',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/blocked.stream.http')),
    outcome: 'complete',
  },
  { name: 'gemini cut', create: gemini, bytes: encoder.encode(file('gemini/__fixtures__/cut.stream.http')), outcome: 'cut' },
  {
    name: 'gemini error',
    create: gemini,
    bytes: encoder.encode(file('gemini/__fixtures__/error.stream.http')),
    outcome: 'error',
  },
  {
    name: 'gemini bare JSON error in a 200 stream',
    create: gemini,
    bytes: encoder.encode(
      '[{\n  "error": {\n    "code": 503,\n    "message": "The model is overloaded.",\n    "status": "UNAVAILABLE"\n  }\n}\n]\n',
    ),
    outcome: 'refused',
  },
];

export interface UpstreamScript {
  chunks: Uint8Array[];
  /** Index of the read at which the connection fails (undefined: it ends normally). */
  failAt: number | undefined;
  failCode: string | undefined;
  /** Per read, whether to yield to the event loop first (a slow network). */
  slow: boolean[];
}

/** A body like undici's: an async iterable Readable of Buffers that errors when the request is aborted. */
export function upstreamBody(script: UpstreamScript, signal: Cancellation): UpstreamResponse['body'] {
  async function* reads(): AsyncGenerator<Buffer> {
    for (let i = 0; i <= script.chunks.length; i++) {
      if (script.slow[i % Math.max(1, script.slow.length)] === true) await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted)
        throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
      if (script.failAt === i) throw Object.assign(new Error('other side closed'), { code: script.failCode });
      const chunk = script.chunks[i];
      if (chunk !== undefined) yield Buffer.from(chunk);
    }
  }
  return Readable.from(reads()) as UpstreamResponse['body'];
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

export const UPSTREAM = fc.constantFrom(...UPSTREAMS);
export const CUTS = fc.array(fc.nat(), { maxLength: 25 });
export const SLOW = fc.array(fc.boolean(), { maxLength: 5 });

export const DAMAGE = fc.record({
  edits: fc.array(fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 })), {
    maxLength: 6,
  }),
  truncateAt: fc.option(fc.nat(), { nil: undefined }),
  garbage: fc.option(fc.uint8Array({ maxLength: 60 }), { nil: undefined, freq: 4 }),
});
