/**
 * Gemini generateContent wire helpers for end-to-end tests: whole responses, streamed chunks (each
 * a whole GenerateContentResponse holding only the new parts), SSE data events and Google error
 * bodies with canonical statuses and details.
 */
import type http from 'node:http';
import { json, type Json } from './fake-upstream.js';

export type { Json };

export function geminiResponse(opts: { parts?: Json[]; finishReason?: string; usage?: Json; responseId?: string } = {}): Json {
  return {
    candidates: [
      {
        content: { role: 'model', parts: opts.parts ?? [{ text: 'Hello from Gemini.' }] },
        finishReason: opts.finishReason ?? 'STOP',
        index: 0,
        safetyRatings: [{ category: 'HARM_CATEGORY_HARASSMENT', probability: 'NEGLIGIBLE' }],
      },
    ],
    usageMetadata: opts.usage ?? { promptTokenCount: 12, candidatesTokenCount: 5, totalTokenCount: 17 },
    modelVersion: 'gemini-2.5-flash',
    responseId: opts.responseId ?? 'x3a9Z8mQ',
  };
}

/** One streamed chunk: a whole GenerateContentResponse holding only the new parts. */
export function chunk(parts: Json[] | undefined, usage: Json, finishReason?: string): Json {
  return {
    candidates: [{ content: { role: 'model', parts: parts ?? [] }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata: usage,
    modelVersion: 'gemini-2.5-flash',
    responseId: 'strm-01',
  };
}

export function dataEvent(value: Json, eol = '\n'): string {
  return `data: ${JSON.stringify(value)}${eol}${eol}`;
}

export function googleError(res: http.ServerResponse, code: number, status: string, message: string, details: Json[] = []): void {
  json(res, code, { error: { code, message, status, ...(details.length > 0 ? { details } : {}) } });
}
