/**
 * Scripted answers in each provider's own wire format, for fake upstreams: one description of an
 * answer (text, tool calls, how it ended, usage) written as an OpenAI-compatible chat completion,
 * an Anthropic Message or a Gemini GenerateContentResponse, whole or streamed (events split across
 * writes by `writeFrames`).
 */
import type http from 'node:http';
import { json, writeFrames } from './fake-upstream.js';

export interface ScriptedCall {
  id: string;
  name: string;
  /** JSON text. */
  arguments: string;
}

export interface ScriptedAnswer {
  text?: string;
  calls?: ScriptedCall[];
  finish: 'stop' | 'tool_calls' | 'length';
  usage: { input: number; output: number; cached?: number };
}

/** A text in three pieces (or fewer), so a stream carries several deltas. */
function pieces(text: string): string[] {
  const third = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += third) out.push(text.slice(i, i + third));
  return out;
}

function halves(text: string): [string, string] {
  const at = Math.floor(text.length / 2);
  return [text.slice(0, at), text.slice(at)];
}

const data = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;

export async function answerOpenAI(res: http.ServerResponse, answer: ScriptedAnswer, stream: boolean): Promise<void> {
  const usage = {
    prompt_tokens: answer.usage.input,
    completion_tokens: answer.usage.output,
    total_tokens: answer.usage.input + answer.usage.output,
    prompt_tokens_details: { cached_tokens: answer.usage.cached ?? 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
  const base = { id: 'chatcmpl-e2e', created: 1767225600, model: 'upstream-model' };
  if (!stream) {
    json(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: answer.text ?? null,
            refusal: null,
            ...(answer.calls
              ? {
                  tool_calls: answer.calls.map((c) => ({
                    id: c.id,
                    type: 'function',
                    function: { name: c.name, arguments: c.arguments },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: answer.finish,
        },
      ],
      usage,
    });
    return;
  }
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    data({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage: null,
    });
  const frames = [chunk({ role: 'assistant', content: '' })];
  for (const piece of answer.text === undefined ? [] : pieces(answer.text)) frames.push(chunk({ content: piece }));
  (answer.calls ?? []).forEach((call, index) => {
    const [a, b] = halves(call.arguments);
    frames.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    frames.push(chunk({ tool_calls: [{ index, function: { arguments: a } }] }));
    frames.push(chunk({ tool_calls: [{ index, function: { arguments: b } }] }));
  });
  frames.push(chunk({}, answer.finish));
  frames.push(data({ ...base, object: 'chat.completion.chunk', choices: [], usage }));
  frames.push('data: [DONE]\n\n');
  await writeFrames(res, frames, { pauseMs: 2 });
}

const ANTHROPIC_STOP = { stop: 'end_turn', tool_calls: 'tool_use', length: 'max_tokens' } as const;

export async function answerAnthropic(res: http.ServerResponse, answer: ScriptedAnswer, stream: boolean): Promise<void> {
  const usage = {
    input_tokens: answer.usage.input - (answer.usage.cached ?? 0),
    cache_read_input_tokens: answer.usage.cached ?? 0,
    cache_creation_input_tokens: 0,
    output_tokens: answer.usage.output,
  };
  const content: Array<Record<string, unknown>> = [];
  if (answer.text !== undefined) content.push({ type: 'text', text: answer.text });
  for (const call of answer.calls ?? [])
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: JSON.parse(call.arguments) as unknown });
  const message = { id: 'msg_e2e', type: 'message', role: 'assistant', model: 'claude-e2e', stop_sequence: null };
  if (!stream) {
    json(res, 200, { ...message, content, stop_reason: ANTHROPIC_STOP[answer.finish], usage });
    return;
  }
  const event = (value: Record<string, unknown> & { type: string }) => `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`;
  const frames = [
    event({
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
    }),
    event({ type: 'ping' }),
  ];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      frames.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      for (const piece of pieces(block.text as string)) {
        frames.push(event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }));
      }
    } else {
      frames.push(
        event({
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        }),
      );
      for (const part of halves(JSON.stringify(block.input))) {
        frames.push(event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } }));
      }
    }
    frames.push(event({ type: 'content_block_stop', index }));
  });
  frames.push(
    event({
      type: 'message_delta',
      delta: { stop_reason: ANTHROPIC_STOP[answer.finish], stop_sequence: null },
      usage: { output_tokens: answer.usage.output },
    }),
  );
  frames.push(event({ type: 'message_stop' }));
  await writeFrames(res, frames, { pauseMs: 2, headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
}

const GEMINI_FINISH = { stop: 'STOP', tool_calls: 'STOP', length: 'MAX_TOKENS' } as const;

export async function answerGemini(res: http.ServerResponse, answer: ScriptedAnswer, stream: boolean): Promise<void> {
  const usageMetadata = {
    promptTokenCount: answer.usage.input,
    candidatesTokenCount: answer.usage.output,
    totalTokenCount: answer.usage.input + answer.usage.output,
    ...(answer.usage.cached ? { cachedContentTokenCount: answer.usage.cached } : {}),
  };
  const calls = (answer.calls ?? []).map((call) => ({
    functionCall: { name: call.name, args: JSON.parse(call.arguments) as unknown },
  }));
  const response = (parts: unknown[], finishReason?: string) => ({
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    usageMetadata,
    modelVersion: 'gemini-e2e',
    responseId: 'gem-e2e',
  });
  if (!stream) {
    json(
      res,
      200,
      response([...(answer.text === undefined ? [] : [{ text: answer.text }]), ...calls], GEMINI_FINISH[answer.finish]),
    );
    return;
  }
  const textPieces = answer.text === undefined ? [] : pieces(answer.text);
  const frames = textPieces.map((piece) => data(response([{ text: piece }])));
  // Gemini sends function calls whole, with the finish reason on the last chunk.
  frames.push(data(response(calls, GEMINI_FINISH[answer.finish])));
  await writeFrames(res, frames, { pauseMs: 2 });
}
