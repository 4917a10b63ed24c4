import { describe, expect, it } from 'vitest';
import { UpstreamBody } from './upstream-body.js';

function flowLog(): { calls: string[]; flow: { pause(): void; resume(): void; abort(reason: Error): void } } {
  const calls: string[] = [];
  return {
    calls,
    flow: {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      abort: (r) => calls.push(`abort:${r.message}`),
    },
  };
}

describe('UpstreamBody', () => {
  it('yields chunks in order, whether they arrive before or after the read, then ends', async () => {
    const { flow } = flowLog();
    const body = new UpstreamBody(flow);
    body.push(Buffer.from('a'));
    expect((await body.next()).value?.toString()).toBe('a');
    const pending = body.next();
    body.push(Buffer.from('b'));
    expect((await pending).value?.toString()).toBe('b');
    body.push(Buffer.from('c'));
    body.end();
    expect((await body.next()).value?.toString()).toBe('c');
    expect((await body.next()).done).toBe(true);
  });

  it('hands a waiting read everything that arrived in the same turn as one buffer', async () => {
    const { flow } = flowLog();
    const body = new UpstreamBody(flow);
    const pending = body.next();
    // One socket read of a chunked SSE body: undici delivers each chunk separately, synchronously.
    for (const part of ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']) body.push(Buffer.from(part));
    body.end();
    expect((await pending).value?.toString()).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');
    expect((await body.next()).done).toBe(true);
  });

  it('delivers a chunk as soon as the reader can run: nothing waits for more data', async () => {
    const { flow } = flowLog();
    const body = new UpstreamBody(flow);
    const pending = body.next();
    body.push(Buffer.from('first'));
    // Settled within this turn of the event loop: it beats a callback queued for the next one.
    const nextTurn = new Promise<'next turn'>((resolve) => setImmediate(resolve, 'next turn'));
    const first = await Promise.race([pending, nextTurn]);
    expect(first).not.toBe('next turn');
    expect((first as IteratorResult<Buffer>).value?.toString()).toBe('first');
  });

  it('pauses the upstream above 64 KiB unread and resumes once the reader took it', async () => {
    const { calls, flow } = flowLog();
    const body = new UpstreamBody(flow);
    for (let i = 0; i < 4; i++) body.push(Buffer.alloc(16 * 1024));
    expect(calls).toEqual([]);
    body.push(Buffer.alloc(16 * 1024));
    expect(calls).toEqual(['pause']);
    expect((await body.next()).value?.length).toBe(80 * 1024);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('a connection error after data: the data is read first, then the error', async () => {
    const { flow } = flowLog();
    const body = new UpstreamBody(flow);
    const waiting = body.next();
    body.push(Buffer.from('partial'));
    body.fail(new Error('socket hang up'));
    expect((await waiting).value?.toString()).toBe('partial');
    await expect(body.next()).rejects.toThrow('socket hang up');
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
