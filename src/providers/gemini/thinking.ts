/**
 * OpenAI's `reasoning_effort` → Gemini's `thinkingConfig`, with thought summaries turned on so
 * the reasoning reaches the client (as `reasoning_content`, which OpenAI-compatible reasoning
 * hosts use, and which the Anthropic Messages ingress turns into thinking blocks).
 *
 * Gemini 3 models take a thinking level (low or high on every one of them); Gemini 2.5 models take
 * a token budget (24,576 is the largest every 2.5 model accepts). The two may not be combined.
 * Thoughts count against `maxOutputTokens`, so a budget never takes more than half of it (nor goes
 * below 512, the smallest budget every 2.5 model accepts).
 *
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */
import type { GeminiThinkingConfig } from './wire.js';

const BUDGETS: Readonly<Record<string, number>> = { low: 1024, medium: 8192, high: 24576 };
const MIN_BUDGET = 512;

/** Undefined for an effort Gemini has no equivalent for (the caller names it in the warnings). */
export function toThinkingConfig(
  effort: unknown,
  upstreamModel: string,
  maxOutputTokens: number | undefined,
): GeminiThinkingConfig | undefined {
  const budget = typeof effort === 'string' ? BUDGETS[effort] : undefined;
  if (budget === undefined) return undefined;
  if (/^gemini-[3-9]/.test(upstreamModel)) return { thinkingLevel: effort === 'low' ? 'low' : 'high', includeThoughts: true };
  const room = maxOutputTokens === undefined ? budget : Math.max(MIN_BUDGET, Math.floor(maxOutputTokens / 2));
  return { thinkingBudget: Math.min(budget, room), includeThoughts: true };
}
