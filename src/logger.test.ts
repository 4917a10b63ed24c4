import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LineBatcher, writeFixedLine } from './logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      text.trim() === ''
        ? []
        : text
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('logger redaction', () => {
  it('redacts secrets on every ordinary line, child loggers included', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info({ key: 'sk-secret-1', nested: { apiKey: 'sk-secret-2', authorization: 'Bearer x' }, password: 'pw' }, 'other');
    logger.child({ component: 'x' }).info({ nested: { key: 'sk-secret-3' } }, 'child line');
    const [first, second] = out.lines();
    expect(first).toMatchObject({
      key: '[redacted]',
      password: '[redacted]',
      nested: { apiKey: '[redacted]', authorization: '[redacted]' },
    });
    expect(second).toMatchObject({ nested: { key: '[redacted]' } });
    expect(JSON.stringify(out.lines())).not.toContain('sk-secret');
  });

  it('writes a fixed-shape line exactly as pino writes the same fields', () => {
    const fields = {
      requestId: 'req_1',
      modelRequested: 'openai/gpt-4o "mini"\n',
      status: 200,
      errorCode: null,
      ttftMs: Number.NaN,
      stream: true,
      cost: 0.5,
    };
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

describe('LineBatcher', () => {
  function sink(): { out: ConstructorParameters<typeof LineBatcher>[0]; writes: string[]; calls: string[] } {
    const writes: string[] = [];
    const calls: string[] = [];
    return {
      writes,
      calls,
      out: {
        write: (text: string) => void writes.push(text),
        flush: (cb?: (err?: Error) => void) => {
          calls.push('flush');
          cb?.();
        },
        flushSync: () => void calls.push('flushSync'),
      },
    };
  }

  it('writes lines in order, one write per ~4 KiB batch, and the rest on flush', () => {
    const { out, writes, calls } = sink();
    const batcher = new LineBatcher(out);
    const lines = Array.from({ length: 20 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(480)}"}\n`);
    for (const line of lines) batcher.write(line);
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.length).toBeLessThan(5);
    batcher.flush();
    expect(writes.join('')).toBe(lines.join(''));
    expect(calls).toEqual(['flush']);
  });

  it('flushSync() writes what is collected before the destination flushes, for the exit', () => {
    const { out, writes, calls } = sink();
    const batcher = new LineBatcher(out);
    batcher.write('last line\n');
    expect(writes).toEqual([]);
    batcher.flushSync();
    expect(writes).toEqual(['last line\n']);
    expect(calls).toEqual(['flushSync']);
  });
});
