import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../openai/types.js';
import { ToolIdMap, rewriteToolIds, toMistralToolId } from './mistral-tool-ids.js';

describe('toMistralToolId', () => {
  it('toMistralToolId() derives 9 letters or digits, the same for the same id', () => {
    expect(toMistralToolId('call_7Yq2')).toBe('WVdQIYrCr');
    expect(toMistralToolId('call_7Yq2')).toBe(toMistralToolId('call_7Yq2'));
    expect(toMistralToolId('toolu_01A09q90qw90lq917835lq9')).toMatch(/^[a-zA-Z0-9]{9}$/);
  });

  it('toMistralToolId() gives different ids for different inputs', () => {
    const ids = new Set(Array.from({ length: 1000 }, (_, i) => toMistralToolId(`call_${i}`)));
    expect(ids.size).toBe(1000);
  });

  it('toMistralToolId() keeps an id that Mistral already accepts', () => {
    expect(toMistralToolId('D681PevKs')).toBe('D681PevKs');
  });
});

describe('ToolIdMap', () => {
  it('ToolIdMap.toClient() restores rewritten ids and passes unknown ones through', () => {
    const map = new ToolIdMap();
    expect(map.toUpstream('call_7Yq2')).toBe('WVdQIYrCr');
    expect(map.toUpstream('D681PevKs')).toBe('D681PevKs');
    expect(map.size).toBe(1);
    expect(map.toClient('WVdQIYrCr')).toBe('call_7Yq2');
    expect(map.toClient('zzzzzzzzz')).toBe('zzzzzzzzz');
  });
});

describe('rewriteToolIds', () => {
  it('rewriteToolIds() rewrites assistant tool_calls and tool_call_id without touching the input', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'hi' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
    ];
    const snapshot = structuredClone(messages);
    const map = new ToolIdMap();
    const rewritten = rewriteToolIds(messages, map);
    const upstreamId = toMistralToolId('call_1');
    expect(rewritten[0]).toBe(messages[0]);
    expect(rewritten[1]?.tool_calls?.[0]?.id).toBe(upstreamId);
    expect(rewritten[2]?.tool_call_id).toBe(upstreamId);
    expect(messages).toEqual(snapshot);
    expect(map.toClient(upstreamId)).toBe('call_1');
  });
});
