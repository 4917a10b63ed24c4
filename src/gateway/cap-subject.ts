/**
 * What a request reserves its worst case against: the key's cap and its spend in the request's
 * budget period. The period is taken once per request, when it first needs it, so a request that
 * starts at 23:59:59 reserves, settles and is recorded in that day even if it ends after midnight.
 */
import { periodEnd, periodStart } from '../billing/budget-period.js';
import type { CapSubject } from '../billing/spend-ledger.js';
import type { RequestContext } from './request-context.js';

/** The start of the request's budget period (0 for a key's total budget). */
export function requestPeriodStart(ctx: RequestContext): number {
  const period = ctx.auth.budgetPeriod;
  if (period === 'total') return 0;
  ctx.budgetPeriodStart ??= periodStart(period, Date.now());
  return ctx.budgetPeriodStart;
}

export function capSubject(ctx: RequestContext): CapSubject {
  const { auth } = ctx;
  if (auth.budgetPeriod === 'total') return { keyId: auth.id, capNanoUsd: auth.capNanoUsd, spentNanoUsd: auth.spentNanoUsd };
  const start = requestPeriodStart(ctx);
  return {
    keyId: auth.id,
    capNanoUsd: auth.capNanoUsd,
    // The loaded figure belongs to an earlier period once that one has ended: nothing spent yet.
    spentNanoUsd: auth.periodSpent.start === start ? auth.periodSpent.nanoUsd : 0,
    periodStart: start,
    periodResetsAt: periodEnd(auth.budgetPeriod, start),
  };
}
