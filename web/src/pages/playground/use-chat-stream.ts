/**
 * Sends a chat through /api/playground/chat as one of the account's keys and streams the answer
 * in: the assistant message grows chunk by chunk; tokens, timing and served model land at the end.
 */
import { useCallback, useRef, useState } from 'react';
import { ApiError, errorFrom, fetchApi, messageOf, requestInit } from '../../lib/api';
import { readSse } from '../../lib/sse';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  run?: RunStats;
}

export interface RunStats {
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number;
  latencyMs: number;
  ttftMs: number | null;
  stopped: boolean;
}

export function useChatStream() {
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const updateLast = (patch: (m: ChatMessage) => ChatMessage) =>
    setMessages((all) => [...all.slice(0, -1), patch(all[all.length - 1] as ChatMessage)]);

  const send = useCallback(
    async (opts: { keyId: string; model: string; system: string; text: string; history: ChatMessage[] }) => {
      const outgoing = [...opts.history, { role: 'user' as const, content: opts.text }];
      setMessages([...outgoing, { role: 'assistant', content: '' }]);
      setError(null);
      setErrorCode(null);
      setStreaming(true);
      const controller = new AbortController();
      abort.current = controller;
      const started = performance.now();
      let ttft: number | null = null;
      const run: RunStats = {
        model: opts.model,
        promptTokens: null,
        completionTokens: null,
        cachedTokens: 0,
        latencyMs: 0,
        ttftMs: null,
        stopped: false,
      };
      try {
        const messagesForApi = [
          ...(opts.system.trim() ? [{ role: 'system', content: opts.system.trim() }] : []),
          ...outgoing.map(({ role, content }) => ({ role, content })),
        ];
        const body = {
          key_id: opts.keyId,
          model: opts.model,
          messages: messagesForApi,
          stream: true,
          stream_options: { include_usage: true },
        };
        const res = await fetchApi('/api/playground/chat', requestInit('POST', body, controller.signal));
        if (!res.ok) throw await errorFrom(res);
        await readSse(res, (chunk) => {
          if (chunk.model) run.model = chunk.model;
          if (chunk.usage) {
            run.promptTokens = chunk.usage.prompt_tokens;
            run.completionTokens = chunk.usage.completion_tokens;
            run.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
          }
          const piece = chunk.choices?.[0]?.delta?.content;
          if (piece) {
            ttft ??= performance.now() - started;
            updateLast((m) => ({ ...m, content: m.content + piece }));
          }
        });
      } catch (err) {
        if (controller.signal.aborted) run.stopped = true;
        else {
          setError(messageOf(err));
          setErrorCode(err instanceof ApiError ? err.code : null);
        }
      } finally {
        run.latencyMs = Math.round(performance.now() - started);
        run.ttftMs = ttft === null ? null : Math.round(ttft);
        updateLast((m) => (m.content || run.stopped ? { ...m, run: { ...run } } : m));
        setMessages((all) => (all[all.length - 1]?.content === '' && !run.stopped ? all.slice(0, -1) : all));
        setStreaming(false);
        abort.current = null;
      }
    },
    [],
  );

  const stop = useCallback(() => abort.current?.abort(), []);
  const clear = useCallback(() => {
    abort.current?.abort();
    setMessages([]);
    setError(null);
    setErrorCode(null);
  }, []);

  return { messages, streaming, error, errorCode, send, stop, clear };
}
