/**
 * Test helper: the stream transforms under fuzzing (OpenAI-compatible, Anthropic and Gemini, each
 * created through its adapter exactly as the gateway does) and the recorded-style fixtures each is
 * fed, with how each fixture must end and where its terminal event begins.
 */
import type { ChatCompletionRequest } from '../../openai/types.js';
import { anthropicAdapter } from '../anthropic/adapter.js';
import { geminiAdapter } from '../gemini/adapter.js';
import { createOpenAICompatibleAdapter } from '../openai-compatible/adapter.js';
import { GROQ_STREAM } from '../openai-compatible/__fixtures__/groq-stream.js';
import { MISTRAL_STREAM } from '../openai-compatible/__fixtures__/mistral-tool-call.js';
import { OLLAMA_STREAM } from '../openai-compatible/__fixtures__/ollama-stream.js';
import { OPENAI_TEXT_STREAM } from '../openai-compatible/__fixtures__/openai-stream.js';
import { TOGETHER_STREAM } from '../openai-compatible/__fixtures__/together-stream.js';
import type { ProviderAdapter, StreamTransform } from '../provider.js';
import { loadRecording } from '../../../test/helpers/recording.js';

/** Seeds are fixed so a failure reproduces; set ZAI_FUZZ_SEED to explore other inputs. */
export const SEED = Number(process.env.ZAI_FUZZ_SEED ?? 0x7a1);
const encoder = new TextEncoder();
const CREDENTIALS = { baseUrl: 'http://127.0.0.1:9', apiKey: 'sk-fuzz-0123456789abcdef' };

type Outcome = 'complete' | 'cut' | 'error';

export interface Fixture {
  name: string;
  sse: string;
  bytes: Uint8Array;
  outcome: Outcome;
  /** Byte offset where the event that ends the answer begins; cutting before it must never end cleanly. */
  terminalAt: number;
}

export interface ProviderCase {
  name: string;
  publicModel: string;
  create(includeUsage: boolean): StreamTransform;
  fixtures: Fixture[];
}

function transformFactory(adapter: ProviderAdapter, publicModel: string, extra: Partial<ChatCompletionRequest> = {}) {
  return (includeUsage: boolean): StreamTransform => {
    const request: ChatCompletionRequest = {
      model: publicModel,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream: true,
      ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
      ...extra,
    };
    const upstreamModel = publicModel.slice(publicModel.indexOf('/') + 1);
    return adapter
      .chat({ request, upstreamModel, publicModel, stream: true, includeUsage, maxOutputTokens: undefined }, CREDENTIALS)
      .createStream(true);
  };
}

/** `terminal` finds the start of the line of the event that ends the answer (-1: none). */
function fixture(name: string, sse: string, outcome: Outcome, terminal: (sse: string) => number): Fixture {
  const at = terminal(sse);
  return { name, sse, bytes: encoder.encode(sse), outcome, terminalAt: at < 0 ? -1 : encoder.encode(sse.slice(0, at)).length };
}

function lineStartOf(sse: string, index: number): number {
  return index < 0 ? -1 : sse.lastIndexOf('data:', index);
}

/** OpenAI-compatible: the first real finish reason (a finish reason lets `end()` succeed) or [DONE]. */
function openAITerminal(sse: string): number {
  const finish = /"finish_reason":"[^"]/.exec(sse)?.index ?? -1;
  const done = sse.indexOf('data: [DONE]');
  return lineStartOf(sse, finish >= 0 ? finish : done);
}

function anthropicFile(name: string): string {
  return loadRecording(new URL(`../anthropic/__fixtures__/${name}`, import.meta.url)).body;
}

function geminiFile(name: string): string {
  return loadRecording(new URL(`../gemini/__fixtures__/${name}`, import.meta.url)).body;
}

/** Gemini: the answer is whole once the last candidate finished (or the prompt was blocked). */
function geminiTerminal(sse: string): number {
  const finish = Math.max(sse.lastIndexOf('"finishReason"'), sse.lastIndexOf('"blockReason"'));
  return lineStartOf(sse, finish);
}

const anthropicTerminal = (sse: string): number => sse.indexOf('event: message_stop');

const OPENAI_FIXTURES = [
  fixture('openai text + usage', OPENAI_TEXT_STREAM, 'complete', openAITerminal),
  fixture('groq x_groq usage', GROQ_STREAM, 'complete', openAITerminal),
  fixture('mistral tool call', MISTRAL_STREAM, 'complete', openAITerminal),
  fixture('ollama without [DONE] semantics', OLLAMA_STREAM, 'complete', openAITerminal),
  fixture('together eos', TOGETHER_STREAM, 'complete', openAITerminal),
  fixture('openai cut', OPENAI_TEXT_STREAM.slice(0, openAITerminal(OPENAI_TEXT_STREAM)), 'cut', () => -1),
  fixture(
    'openai error event',
    `${OPENAI_TEXT_STREAM.slice(0, openAITerminal(OPENAI_TEXT_STREAM))}data: {"error":{"message":"overloaded","type":"server_error"}}\n\n`,
    'error',
    () => -1,
  ),
];

const ANTHROPIC_FIXTURES = [
  fixture('text', anthropicFile('stream-text.http'), 'complete', anthropicTerminal),
  fixture('tool use with thinking', anthropicFile('stream-tool-use.http'), 'complete', anthropicTerminal),
  fixture('answer tool as a plain tool', anthropicFile('stream-answer-tool.http'), 'complete', anthropicTerminal),
  fixture('cut', anthropicFile('stream-cut.http'), 'cut', () => -1),
  fixture('error event', anthropicFile('stream-error.http'), 'error', () => -1),
];

const GEMINI_FIXTURES = [
  fixture('text with thoughts', geminiFile('text.stream.http'), 'complete', geminiTerminal),
  fixture('tool calls', geminiFile('tool-call.stream.http'), 'complete', geminiTerminal),
  fixture('prompt blocked', geminiFile('blocked.stream.http'), 'complete', geminiTerminal),
  fixture('cut', geminiFile('cut.stream.http'), 'cut', () => -1),
  fixture('error event', geminiFile('error.stream.http'), 'error', () => -1),
];

export const PROVIDERS: ProviderCase[] = [
  {
    name: 'openai-compatible',
    publicModel: 'openai/gpt-4o-mini',
    create: transformFactory(createOpenAICompatibleAdapter('openai'), 'openai/gpt-4o-mini'),
    fixtures: OPENAI_FIXTURES,
  },
  {
    name: 'anthropic',
    publicModel: 'anthropic/claude-sonnet-4-5',
    create: transformFactory(anthropicAdapter, 'anthropic/claude-sonnet-4-5'),
    fixtures: ANTHROPIC_FIXTURES,
  },
  {
    name: 'anthropic (response_format answer tool)',
    publicModel: 'anthropic/claude-sonnet-4-5',
    create: transformFactory(anthropicAdapter, 'anthropic/claude-sonnet-4-5', {
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city_report', schema: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    }),
    fixtures: ANTHROPIC_FIXTURES,
  },
  {
    name: 'gemini',
    publicModel: 'gemini/gemini-2.5-flash',
    create: transformFactory(geminiAdapter, 'gemini/gemini-2.5-flash'),
    fixtures: GEMINI_FIXTURES,
  },
];
