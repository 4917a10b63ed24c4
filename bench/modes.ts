/**
 * What the bench sends: a mode is one kind of request (an endpoint, a body, streamed or not) and
 * how to tell a whole answer from a broken one. A mode runs against every target (the bare proxy
 * forwards the same path to the fake upstream, Z-AI serves it from its `openai` provider pointing
 * at the fake), or on Z-AI alone (`zaiOnly`). To measure another endpoint, add an entry to MODES
 * (see README.md).
 */
import { STREAM_CHUNKS } from './fake-upstream.js';

export interface Mode {
  /** Its name in BENCH_MODES, the table and the results. */
  name: string;
  /** How the table calls it. */
  label: string;
  /** The path POSTed to (through the bare proxy it reaches the fake upstream unchanged). */
  path: string;
  stream: boolean;
  /** The request body for a model name (`gpt-4o-mini` through the bare proxy, `openai/gpt-4o-mini` through Z-AI). */
  body(model: string): string;
  /** Text every whole answer contains (an answer cut short lacks it); wrk's script checks every answer under load. */
  expectText: string | undefined;
  /** Checks one whole answer before any load; returns what is wrong with it, or undefined. */
  check(answer: Answer): string | undefined;
  /**
   * For an API the bare proxy cannot serve (the fake speaks only OpenAI's): the mode runs on Z-AI
   * alone, and its CPU per request is judged against Z-AI's own `against` mode instead of the bare
   * proxy (≤ `maxCpuRatio` ×).
   */
  zaiOnly?: { against: string; maxCpuRatio: number };
  /**
   * false: the peak RSS under this mode is reported beside the targets but not judged against the
   * bound, which is for the small body (the agent mode's 65 KB bodies hold more by their size).
   */
  rssJudged?: false;
}

export interface Answer {
  status: number;
  text: string;
  /** The model the request named; a gateway must answer with it (the bare proxy answers the upstream's). */
  model: string;
  viaGateway: boolean;
}

const SSE_DONE = 'data: [DONE]\n\n';

function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello in a short sentence.' },
    ],
    max_tokens: 256,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  });
}

function checkChatCompletion({ status, text, model, viaGateway }: Answer): string | undefined {
  let completion: { model?: string; choices?: unknown[]; usage?: unknown };
  try {
    completion = JSON.parse(text) as typeof completion;
  } catch {
    return `${status}, not JSON: ${text.slice(0, 200)}`;
  }
  if (status !== 200 || !Array.isArray(completion.choices) || completion.usage === undefined)
    return `${status} ${text.slice(0, 300)}`;
  if (viaGateway && completion.model !== model) return `answered model ${completion.model}`;
  return undefined;
}

function checkChatStream({ status, text, model, viaGateway }: Answer): string | undefined {
  const events = text.split('\n\n').filter((e) => e.startsWith('data: '));
  if (status !== 200 || !text.endsWith(SSE_DONE)) return `${status}, stream not ended by data: [DONE]: ${text.slice(-200)}`;
  const chunks = events
    .filter((e) => e !== 'data: [DONE]')
    .map((e) => JSON.parse(e.slice(6)) as { choices: unknown[]; model: string; usage?: unknown });
  const content = chunks.filter((c) => c.choices.length > 0);
  const usage = chunks.filter((c) => c.choices.length === 0 && c.usage);
  if (content.length !== STREAM_CHUNKS || usage.length !== 1)
    return `${content.length} chunks and ${usage.length} usage chunks, expected ${STREAM_CHUNKS} and 1`;
  if (viaGateway && chunks.some((c) => c.model !== model)) return 'a chunk kept the upstream model';
  return undefined;
}

/**
 * A coding agent's request: its context of about 60 KB (the system prompt, then file contents and
 * replies: code, with the line breaks and quotes that JSON escapes), the size Claude Code or Codex
 * send on every turn. Deterministic, so every run sends the same bytes.
 */
function agentBody(model: string): string {
  const file = [
    "import { readFile } from 'node:fs/promises';",
    '',
    'export async function loadConfig(path: string): Promise<Record<string, unknown>> {',
    "  const text = await readFile(path, 'utf8');",
    '  // "strict" mode refuses unknown keys',
    '  return JSON.parse(text) as Record<string, unknown>;',
    '}',
    '',
  ].join('\n');
  const messages: Array<{ role: string; content: string }> = [
    { role: 'system', content: 'You are a coding agent working in a TypeScript repository. Read files before editing them.' },
  ];
  for (let turn = 0; messages.reduce((n, m) => n + m.content.length, 0) < 60 * 1024; turn++) {
    messages.push({ role: 'user', content: `Contents of src/module-${turn}.ts:\n${file.repeat(6)}` });
    messages.push({ role: 'assistant', content: `I read src/module-${turn}.ts; loadConfig parses the file as JSON. Next file.` });
  }
  messages.push({ role: 'user', content: 'Say hello in a short sentence.' });
  return JSON.stringify({ model, messages, max_tokens: 256 });
}

export const MODES: Mode[] = [
  {
    name: 'json',
    label: 'non-streaming',
    path: '/v1/chat/completions',
    stream: false,
    body: (model) => chatBody(model, false),
    expectText: '"usage"',
    check: checkChatCompletion,
  },
  {
    name: 'stream',
    label: 'streaming',
    path: '/v1/chat/completions',
    stream: true,
    body: (model) => chatBody(model, true),
    expectText: 'data: [DONE]',
    check: checkChatStream,
  },
  {
    name: 'agent',
    label: 'non-streaming, 60 KB context',
    path: '/v1/chat/completions',
    stream: false,
    body: agentBody,
    expectText: '"usage"',
    check: checkChatCompletion,
    rssJudged: false,
  },
  {
    // Anthropic's Messages API translated to the same OpenAI-compatible upstream.
    name: 'messages',
    label: 'streaming /v1/messages',
    path: '/v1/messages',
    stream: true,
    body: (model) =>
      JSON.stringify({
        model,
        max_tokens: 256,
        stream: true,
        system: 'You are a helpful assistant.',
        messages: [{ role: 'user', content: 'Say hello in a short sentence.' }],
      }),
    expectText: 'event: message_stop',
    check: ({ status, text }) => {
      // One text delta per content chunk of the fake (its first and last chunks carry no text).
      const deltas = text.split('\n\n').filter((e) => e.startsWith('event: content_block_delta\n')).length;
      return status === 200 &&
        text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n') &&
        deltas === STREAM_CHUNKS - 2
        ? undefined
        : `${status}, ${deltas} deltas: ${text.slice(-200)}`;
    },
    zaiOnly: { against: 'stream', maxCpuRatio: 1.3 },
  },
  {
    // OpenAI's Responses API translated to the same upstream, as the self-hosted `local` provider
    // (on `openai/*` it would be passed through to OpenAI's own /v1/responses).
    name: 'responses',
    label: 'streaming /v1/responses',
    path: '/v1/responses',
    stream: true,
    body: (model) =>
      JSON.stringify({
        model: model.replace(/^openai\//, 'local/'),
        max_output_tokens: 256,
        stream: true,
        instructions: 'You are a helpful assistant.',
        input: 'Say hello in a short sentence.',
      }),
    expectText: 'event: response.completed',
    check: ({ status, text }) => {
      const deltas = text.split('\n\n').filter((e) => e.startsWith('event: response.output_text.delta\n')).length;
      return status === 200 && text.includes('event: response.completed\n') && deltas === STREAM_CHUNKS - 2
        ? undefined
        : `${status}, ${deltas} deltas: ${text.slice(-200)}`;
    },
    zaiOnly: { against: 'stream', maxCpuRatio: 1.3 },
  },
];
