import { roundDiv } from "./money";
import { DAY_MS } from "./traffic";

/** What one conversion adds to a report row: the contract's definitions, in one place. */
export interface Contribution {
  conversions: number;
  revenue: number;
  commission: number;
}

export const NO_CONTRIBUTION: Contribution = { conversions: 0, revenue: 0, commission: 0 };

/** commissions that count in reports (not rejected, not reversed) */
export const COUNTED_COMMISSION_STATUSES = ["hold", "pending", "approved", "paid"] as const;
const COUNTED_COMMISSION = new Set<string>(COUNTED_COMMISSION_STATUSES);

/**
 * A conversion counts when attributed and not fully refunded; its revenue is the amount less
 * refunds; its commission counts unless rejected or reversed.
 */
export function contribution(
  conv: { status: string; amount: number; refunded: number },
  commission: { amount: number; status: string } | null,
): Contribution {
  const fullyRefunded = conv.amount > 0 && conv.refunded >= conv.amount;
  if (conv.status !== "attributed" || fullyRefunded) return NO_CONTRIBUTION;
  return {
    conversions: 1,
    revenue: conv.amount - conv.refunded,
    commission: commission && COUNTED_COMMISSION.has(commission.status) ? commission.amount : 0,
  };
}

export function delta(after: Contribution, before: Contribution): Contribution {
  return { conversions: after.conversions - before.conversions, revenue: after.revenue - before.revenue, commission: after.commission - before.commission };
}

export const isZero = (c: Contribution) => c.conversions === 0 && c.revenue === 0 && c.commission === 0;

/** Days since the epoch, UTC: the unit of every rollup. */
export const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

export const isoFromDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** Conversion rate and earnings per click; the commission is a sum, so bigint (exact). */
export function rates(row: { clicks: number; conversions: number; commission: bigint }) {
  return {
    conversionRate: row.clicks > 0 ? row.conversions / row.clicks : 0,
    /** commission per click, in minor units (rounded half away from zero) */
    epc: row.clicks > 0 ? roundDiv(row.commission, BigInt(row.clicks)) : 0n,
  };
}
