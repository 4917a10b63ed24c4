import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, fixedShapeLogger } from './logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, lines: () => text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger redaction', () => {
  it('redacts secrets on ordinary lines, also after the fixed-shape child was made', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    const gatewayLine = fixedShapeLogger(logger);
    expect(fixedShapeLogger(logger)).toBe(gatewayLine);
    gatewayLine.info({ requestId: 'req_1', keyId: 'key_1', status: 200 }, 'gateway request');
    logger.info({ key: 'sk-secret-1', nested: { apiKey: 'sk-secret-2', authorization: 'Bearer x' }, password: 'pw' }, 'other');
    logger.child({ component: 'x' }).info({ nested: { key: 'sk-secret-3' } }, 'child line');
    const [first, second, third] = out.lines();
    expect(first).toMatchObject({ msg: 'gateway request', requestId: 'req_1', keyId: 'key_1', service: 'zai' });
    expect(typeof first?.time).toBe('string');
    expect(second).toMatchObject({ key: '[redacted]', password: '[redacted]', nested: { apiKey: '[redacted]', authorization: '[redacted]' } });
    expect(third).toMatchObject({ nested: { key: '[redacted]' } });
    expect(JSON.stringify(out.lines())).not.toContain('sk-secret');
  });
});
