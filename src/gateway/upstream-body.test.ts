import { describe, expect, it } from 'vitest';
import { UpstreamBody } from './upstream-body.js';

function flowLog(): { calls: string[]; flow: { pause(): void; resume(): void; abort(reason: Error): void } } {
  const calls: string[] = [];
  return { calls, flow: { pause: () => calls.push('pause'), resume: () => calls.push('resume'), abort: (r) => calls.push(`abort:${r.message}`) } };
}

describe('UpstreamBody', () => {
  it('yields chunks in order, whether they arrive before or after the read, then ends', async () => {
    const { flow } = flowLog();
    const body = new UpstreamBody(flow);
    body.push(Buffer.from('a'));
    const pending = body.next();
    const late = body.next();
    body.push(Buffer.from('b'));
    body.end();
    expect((await pending).value?.toString()).toBe('a');
    expect((await late).value?.toString()).toBe('b');
    expect((await body.next()).done).toBe(true);
  });

  it('pauses the upstream above 64 KiB unread and resumes once the reader caught up to half', async () => {
    const { calls, flow } = flowLog();
    const body = new UpstreamBody(flow);
    for (let i = 0; i < 5; i++) body.push(Buffer.alloc(16 * 1024));
    expect(calls).toEqual(['pause']);
    await body.next();
    await body.next();
    expect(calls).toEqual(['pause']);
    await body.next();
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('rejects a waiting read with the connection error, and later reads too', async () => {
    const { flow } = flowLog();
    const body = new UpstreamBody(flow);
    const waiting = body.next();
    body.fail(new Error('socket hang up'));
    await expect(waiting).rejects.toThrow('socket hang up');
    await expect(body.next()).rejects.toThrow('socket hang up');
  });

  it('destroy() aborts the upstream and fails a waiting read; an ended body is left alone', async () => {
    const { calls, flow } = flowLog();
    const body = new UpstreamBody(flow);
    const waiting = body.next();
    body.destroy();
    await expect(waiting).rejects.toThrow('given up');
    expect(calls).toEqual(['abort:The upstream body was given up.']);

    const done = flowLog();
    const ended = new UpstreamBody(done.flow);
    ended.end();
    ended.destroy();
    expect(done.calls).toEqual([]);
  });

  it('leaving a for-await loop early gives the body up', async () => {
    const { calls, flow } = flowLog();
    const body = new UpstreamBody(flow);
    body.push(Buffer.from('first'));
    for await (const chunk of body) {
      expect(chunk.toString()).toBe('first');
      break;
    }
    expect(calls).toEqual(['abort:The upstream body was given up.']);
  });
});
