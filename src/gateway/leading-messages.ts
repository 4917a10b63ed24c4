/**
 * What names a conversation for prompt-cache affinity, by one rule for every API: its messages
 * (chat shape: the system prompt or instructions as a first `system` message) up to and including
 * the first user message, which stay the same as the conversation grows; the first message when
 * there is no user message.
 *
 * `cache_control` is left out: clients move their cache breakpoint to the newest turn, which
 * changes the bytes of the first message but not the prompt that is cached.
 */
import { isRecord } from '../lib/is-record.js';

export function leadingMessages(messages: readonly unknown[]): string {
  const firstUser = messages.findIndex((m) => isRecord(m) && m.role === 'user');
  return JSON.stringify(messages.slice(0, firstUser < 0 ? 1 : firstUser + 1), withoutCacheControl);
}

function withoutCacheControl(key: string, value: unknown): unknown {
  return key === 'cache_control' ? undefined : value;
}
