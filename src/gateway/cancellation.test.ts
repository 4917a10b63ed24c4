import { describe, expect, it } from 'vitest';
import { Cancellation } from './cancellation.js';

describe('Cancellation', () => {
  it('tells every listener once, and a late listener at once', () => {
    const cancel = new Cancellation();
    const calls: string[] = [];
    cancel.onAbort(() => calls.push('a'));
    const stop = cancel.onAbort(() => calls.push('b'));
    cancel.onAbort(() => calls.push('c'));
    stop();
    expect(cancel.aborted).toBe(false);
    cancel.abort();
    cancel.abort();
    expect(cancel.aborted).toBe(true);
    expect(calls).toEqual(['a', 'c']);
    cancel.onAbort(() => calls.push('late'));
    expect(calls).toEqual(['a', 'c', 'late']);
  });

  it('after(ms) aborts by itself', async () => {
    const cancel = Cancellation.after(20);
    expect(cancel.aborted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(cancel.aborted).toBe(true);
  });
});
