import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { MemorySpendLedger } from './spend-ledger.js';

const MARCH_31 = Date.parse('2026-03-31T00:00:00Z');
const APRIL_1 = Date.parse('2026-04-01T00:00:00Z');
const DAY = 86_400_000;

function subject(periodStart: number) {
  return { keyId: 'key_1', capNanoUsd: 1000, spentNanoUsd: 0, periodStart, periodResetsAt: periodStart + DAY };
}

describe('MemorySpendLedger with budget periods', () => {
  it('settles a reservation in the period it was made in, never in the next one', async () => {
    const ledger = new MemorySpendLedger();
    const late = await ledger.reserve(subject(MARCH_31), 600);
    await expect(ledger.reserve(subject(MARCH_31), 600)).rejects.toThrow(GatewayError);
    // Midnight passes while that request runs: the new day has its whole cap.
    const fresh = await ledger.reserve(subject(APRIL_1), 1000);
    await late.settle(900);
    await fresh.release();
    expect(await ledger.available(subject(APRIL_1))).toBe(1000);
    await (await ledger.reserve(subject(APRIL_1), 700)).settle(700);
    // The day's 700 stand; 400 more do not fit, and the 402 says when the day ends.
    const refused = await ledger.reserve(subject(APRIL_1), 400).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).message).toContain('resets at 2026-04-02T00:00:00.000Z');
    expect(await ledger.available(subject(APRIL_1))).toBe(300);
  });
});
