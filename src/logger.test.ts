import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, writeFixedLine } from './logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, lines: () => (text.trim() === '' ? [] : text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)) };
}

describe('logger redaction', () => {
  it('redacts secrets on every ordinary line, child loggers included', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info({ key: 'sk-secret-1', nested: { apiKey: 'sk-secret-2', authorization: 'Bearer x' }, password: 'pw' }, 'other');
    logger.child({ component: 'x' }).info({ nested: { key: 'sk-secret-3' } }, 'child line');
    const [first, second] = out.lines();
    expect(first).toMatchObject({ key: '[redacted]', password: '[redacted]', nested: { apiKey: '[redacted]', authorization: '[redacted]' } });
    expect(second).toMatchObject({ nested: { key: '[redacted]' } });
    expect(JSON.stringify(out.lines())).not.toContain('sk-secret');
  });

  it('writes a fixed-shape line exactly as pino writes the same fields', () => {
    const fields = { requestId: 'req_1', modelRequested: 'openai/gpt-4o "mini"\n', status: 200, errorCode: null, ttftMs: Number.NaN, stream: true, cost: 0.5 };
    const ours = capture();
    writeFixedLine(createLogger('info', ours.stream), fields, 'gateway request');
    const theirs = capture();
    createLogger('info', theirs.stream).info(fields, 'gateway request');
    const [line] = ours.lines();
    const [expected] = theirs.lines();
    // The same keys in the same order and the same values; only the timestamp differs.
    expect({ ...line, time: 'T' }).toEqual({ ...expected, time: 'T' });
    expect(Object.keys(line ?? {})).toEqual(Object.keys(expected ?? {}));
    expect(Date.parse(String(line?.time))).toBeGreaterThan(Date.now() - 5000);

    const quiet = capture();
    writeFixedLine(createLogger('warn', quiet.stream), fields, 'gateway request');
    expect(quiet.lines()).toEqual([]);
  });
});
