import type { SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { newId } from "../../domain/ids";
import { prorate } from "../../domain/money";
import { applyRefund, commissionOf, findConversion, type ConversionRow } from "../../db/queries/conversions";
import type { ConversionEvent } from "../../domain/commission";
import type { TrackingDeps } from "./conversions";
import type { CommissionRow } from "../../db/queries/conversions";
import type { EventInput } from "../../db/queries/events";
import { diffChanges } from "../../domain/audit";
import { commissionJson, conversionJson } from "../../http/api/present";

export type RefundOutcome =
  /** `adjustment`: what this refund put onto the partner's next payout (a paid or claimed commission), else null */
  /** `wrote`: this call changed the conversion (false: a running total that added nothing) */
  | { kind: "ok"; conversion: ConversionRow; adjustment: { id: string; amount: number; payoutId: string | null } | null; wrote: boolean }
  | { kind: "not_found" }
  | { kind: "too_much"; remaining: number }
  | { kind: "busy" };

const MAX_ATTEMPTS = 30;

const UNPAID = new Set(["hold", "pending", "approved"]);

/**
 * The outbox rows of a refund: `conversion.refunded` always, `commission.updated` when the
 * commission's amount or status changed; the objects as the API shows them after the refund.
 */
function refundEvents(
  conv: ConversionRow, refunded: number, commission: CommissionRow | null, update: { before: CommissionRow; amount: number; status: CommissionRow["status"] } | null,
): Omit<EventInput, "vendorId">[] {
  const after = commission && update ? { ...commission, amount: update.amount, status: update.status } : commission;
  const base = { programId: conv.programId, actor: { kind: "system" } as const };
  const events: Omit<EventInput, "vendorId">[] = [
    { ...base, type: "conversion.refunded", object: { type: "conversion", id: conv.id }, data: conversionJson({ ...conv, refunded }, after) },
  ];
  if (commission && after && (after.amount !== commission.amount || after.status !== commission.status)) {
    events.push({
      ...base, type: "commission.updated", object: { type: "commission", id: commission.id },
      changes: diffChanges(commission, after, ["amount", "status"]), data: commissionJson(after),
    });
  }
  return events;
}

/**
 * Refunds part or all of a conversion. The commission shrinks in proportion to what remains:
 * round(original × (amount − refunded) ÷ amount); at zero an unpaid commission is reversed,
 * while a paid one stays paid and the difference becomes a negative adjustment on the next payout.
 */
export async function refundConversion(
  deps: TrackingDeps,
  programId: string,
  programNum: number,
  input: { orderId: string; event: ConversionEvent; amount: number | null; upTo?: number },
  /** more writes made in the refund's own transaction, only if it is (e.g. the Stripe event that caused it) */
  also?: (change: { conversion: ConversionRow; refunded: number }, won: SQL) => BatchItem<"sqlite">[],
): Promise<RefundOutcome> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const conv = await findConversion(deps.db, programId, input.event, input.orderId);
    if (!conv) return { kind: "not_found" };
    const remaining = conv.amount - conv.refunded;
    // `upTo`: a running total (Stripe's amount_refunded) refunds only what it adds, read afresh on
    // every attempt, so a redelivered or reordered refund event never refunds anything twice.
    const amount = input.upTo !== undefined ? Math.max(0, Math.min(input.upTo, conv.amount) - conv.refunded) : input.amount ?? remaining;
    if (input.upTo !== undefined && amount === 0) return { kind: "ok", conversion: conv, adjustment: null, wrote: false };
    if (amount > remaining) return { kind: "too_much", remaining };
    const refunded = conv.refunded + amount;
    const commission = await commissionOf(deps.db, conv.id);
    let commissionUpdate = null;
    let adjustment = null;
    if (commission && (UNPAID.has(commission.status) || commission.status === "paid")) {
      const before = prorate(commission.originalAmount, conv.amount - conv.refunded, conv.amount);
      const after = prorate(commission.originalAmount, conv.amount - refunded, conv.amount);
      // A commission already paid, or already claimed by a payout that is not paid yet, keeps its
      // amount (the payout pays what it listed); the difference goes onto the next payout.
      if (commission.status === "paid" || commission.payoutId !== null) {
        commissionUpdate = { before: commission, amount: commission.amount, status: commission.status };
        if (after !== before) adjustment = { id: newId("adj"), amount: after - before, partnerId: commission.partnerId };
      } else {
        commissionUpdate = { before: commission, amount: after, status: refunded >= conv.amount ? ("reversed" as const) : commission.status };
      }
    }
    if (await applyRefund(deps.db, programNum, conv, refunded, commissionUpdate, adjustment, deps.now(), refundEvents(conv, refunded, commission, commissionUpdate), also && ((won) => also({ conversion: conv, refunded }, won)))) {
      const stored = (await findConversion(deps.db, programId, input.event, input.orderId))!;
      // not in a payout yet: the next batch claims it
      return { kind: "ok", conversion: stored, adjustment: adjustment ? { id: adjustment.id, amount: adjustment.amount, payoutId: null } : null, wrote: true };
    }
    // Someone refunded in between: read again and retry against the new state, after a short
    // random pause so that racing requests stop colliding in lockstep.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * (attempt + 1)));
  }
  return { kind: "busy" };
}
