/**
 * Test helper: arbitraries that damage a stream for the transform fuzz tests: network cuts, byte
 * edits, values wrong in interesting ways, event edits (wrong field types, dropped, duplicated,
 * swapped and foreign events), random events and deeply nested JSON.
 */
import fc from 'fast-check';
import type { SseEvent } from '../provider.js';
import { DELETE, pathsOf, setAt } from '../../../test/helpers/fuzz.js';

export const CUTS = fc.array(fc.nat(), { maxLength: 30 });

/** Byte-level damage: overwrite, insert or delete bytes, then maybe truncate. */
export const BYTE_EDITS = fc.record({
  edits: fc.array(fc.tuple(fc.constantFrom('set', 'insert', 'delete'), fc.nat(), fc.integer({ min: 0, max: 255 })), {
    maxLength: 8,
  }),
  truncateAt: fc.option(fc.nat(), { nil: undefined }),
});

/** Values that are wrong in interesting ways for any field. */
export const ODD_VALUE = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      null,
      '',
      0,
      -1,
      1.5,
      1e308,
      true,
      false,
      [],
      {},
      [null],
      'error',
      'STOP',
      'stop',
      'tool_use',
      'message_stop',
      'SAFETY',
      '[DONE]',
      -2147483648,
      4294967296,
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);

/** Event-level damage: wrong types in any field, dropped, duplicated, swapped and foreign events. */
export const EVENT_EDIT = fc.oneof(
  fc.record({
    op: fc.constant('field' as const),
    event: fc.nat(),
    path: fc.nat(),
    value: fc.oneof(ODD_VALUE, fc.constant<unknown>(DELETE)),
  }),
  fc.record({ op: fc.constantFrom('drop' as const, 'duplicate' as const, 'swap' as const), event: fc.nat(), other: fc.nat() }),
  fc.record({
    op: fc.constant('insert' as const),
    event: fc.nat(),
    data: fc.oneof(
      fc.json({ maxDepth: 3 }),
      fc.string({ maxLength: 30 }),
      fc.constantFrom('[DONE]', '', ' ', '{}', '[]', 'null', '{"type":"message_stop"}', '{"error":null}'),
    ),
    name: fc.option(fc.constantFrom('error', 'message_stop', 'ping', '', 'message'), { nil: undefined }),
  }),
);
type EventEdit = typeof EVENT_EDIT extends fc.Arbitrary<infer T> ? T : never;

export function damageEvents(events: readonly SseEvent[], edits: readonly EventEdit[]): SseEvent[] {
  const out = events.map((event) => ({ ...event }));
  for (const edit of edits) {
    if (edit.op === 'insert') {
      out.splice(edit.event % (out.length + 1), 0, { event: edit.name, data: edit.data, id: undefined });
      continue;
    }
    if (out.length === 0) continue;
    const i = edit.event % out.length;
    const target = out[i];
    if (target === undefined) continue;
    if (edit.op === 'field') {
      let json: unknown;
      try {
        json = JSON.parse(target.data);
      } catch {
        continue;
      }
      const paths = pathsOf(json);
      const path = paths[edit.path % Math.max(1, paths.length)];
      if (path === undefined) json = edit.value === DELETE ? {} : edit.value;
      else setAt(json, path, edit.value);
      out[i] = { ...target, data: JSON.stringify(json) ?? 'undefined' };
    } else if (edit.op === 'drop') {
      out.splice(i, 1);
    } else if (edit.op === 'duplicate') {
      out.splice(i, 0, { ...target });
    } else {
      const j = edit.other % out.length;
      const other = out[j];
      if (other !== undefined) {
        out[i] = other;
        out[j] = target;
      }
    }
  }
  return out;
}

export const RANDOM_EVENT: fc.Arbitrary<SseEvent> = fc.record({
  event: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  data: fc.oneof(
    fc.json({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('[DONE]', '', ' ', '{}', '[]', 'null', '0', '"x"'),
  ),
  id: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
});

/** Deep enough to overflow any recursive walk of the parsed value (JSON.parse itself copes): ~5,000 levels already do. */
export const DEEP_JSON = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
