import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { MemorySpendLedger } from './spend-ledger.js';

const MARCH_31 = Date.parse('2026-03-31T00:00:00Z');
const APRIL_1 = Date.parse('2026-04-01T00:00:00Z');

describe('MemorySpendLedger with budget periods', () => {
  it('settles a reservation in the period it was made in, never in the next one', async () => {
    const ledger = new MemorySpendLedger();
    const subject = (periodStart: number) => ({
      keyId: 'key_1',
      capNanoUsd: 1000,
      spentNanoUsd: 0,
      periodStart,
      periodResetsAt: periodStart + 86_400_000,
    });
    const late = await ledger.reserve(subject(MARCH_31), 600);
    // Midnight passes while that request runs: the new day has its whole cap.
    const fresh = await ledger.reserve(subject(APRIL_1), 1000);
    await late.settle(900);
    await fresh.release();
    await expect(ledger.reserve(subject(APRIL_1), 1000)).resolves.toBeDefined();
    // March 31 holds the 900 spent: 200 more does not fit, and the 402 says when it resets.
    const refused = await ledger.reserve(subject(MARCH_31), 200).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).message).toContain('resets at 2026-04-01T00:00:00.000Z');
  });
});
