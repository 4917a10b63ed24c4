import { describe, expect, it } from 'vitest';
import { leadingMessages } from './leading-messages.js';

const system = { role: 'system', content: 'You are terse.' };
const first = { role: 'user', content: 'Plan the trip.' };

describe('leadingMessages', () => {
  it('names a conversation by its messages up to the first user message, whatever follows', () => {
    const opening = leadingMessages([system, first]);
    expect(opening).toBe(JSON.stringify([system, first]));
    const later = leadingMessages([system, first, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'Next.' }]);
    expect(later).toBe(opening);
    expect(leadingMessages([system, { role: 'user', content: 'Another trip.' }])).not.toBe(opening);
    expect(leadingMessages([{ role: 'system', content: 'You are verbose.' }, first])).not.toBe(opening);
  });

  it('takes every message before the first user one, and the first message when there is none', () => {
    const developer = { role: 'developer', content: 'Use metric units.' };
    expect(leadingMessages([system, developer, first, system])).toBe(JSON.stringify([system, developer, first]));
    expect(leadingMessages([system, { role: 'assistant', content: 'hi' }])).toBe(JSON.stringify([system]));
    expect(leadingMessages([])).toBe('[]');
    // Items that are not messages (a Responses function call output) are passed over, not read.
    const output = { type: 'function_call_output', call_id: 'c1', output: '{}' };
    expect(leadingMessages([output, null, first, output])).toBe(JSON.stringify([output, null, first]));
  });

  it('leaves out cache_control, which clients move to the newest turn', () => {
    const marked = (text: string) => ({
      role: 'user',
      content: [{ type: 'text', text, cache_control: { type: 'ephemeral' } }],
    });
    const plain = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });
    const systemBlocks = { role: 'system', content: [{ type: 'text', text: 'Be terse.', cache_control: { type: 'ephemeral' } }] };
    const turn1 = leadingMessages([systemBlocks, marked('Hello')]);
    const turn2 = leadingMessages([systemBlocks, plain('Hello'), { role: 'assistant', content: 'Hi' }, marked('More')]);
    expect(turn2).toBe(turn1);
    expect(turn1).not.toContain('cache_control');
    expect(leadingMessages([systemBlocks, plain('Goodbye')])).not.toBe(turn1);
  });
});
