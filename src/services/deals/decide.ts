import { diffChanges, SYSTEM_ACTOR, type Actor } from "../../domain/audit";
import type { EventInput } from "../../db/queries/events";
import { managerDealJson } from "../../http/api/dealsPresent";
import type { Db } from "../../db/client";
import { approveDealRow, otherOpenDeals, staleDeals, transitionDeal, type DealRow } from "../../db/queries/deals";
import type { ProgramRow } from "../../db/queries/programs";
import { parseIsoTimestamp } from "../../domain/dates";
import { allowedFrom, canTransition, protectionUntil, targetOf, type DealAction } from "../../domain/deals";
import { parseMoney } from "../../domain/money";
import { recordConversion, type TrackingDeps } from "../tracking/conversions";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";

const refused = (deal: DealRow, action: DealAction) =>
  conflict(`a ${deal.status} deal cannot be ${action === "approve" ? "approved" : action === "reject" ? "rejected" : `marked ${action}`} (allowed from ${allowedFrom(action).join(", ")})`);

/**
 * Approves a submitted or conflicting deal: its account is protected for the program's
 * `dealProtectionDays`, and the other open deal of the account (if any) is closed as
 * `rejected`/`conflict_lost`, all in one transaction. Of two approvals at once, one wins; the
 * other finds the deal approved and is a 409.
 */

/** deal.updated for webhooks and the manager's decision for the audit log, in the write's batch. */
export function dealEvent(program: ProgramRow, actor: Actor, action: string | null, before: DealRow | null, after: DealRow): EventInput {
  return {
    vendorId: program.vendorId, programId: program.id, type: before ? "deal.updated" : "deal.created", action, actor, object: { type: "deal", id: after.id },
    changes: diffChanges(before, after, ["status", "reason", "protectedUntil", "wonAmount"]), data: managerDealJson(after, program.currency),
  };
}

/** deal.updated of an approved deal whose protection has passed, as the system expires it. */
export function expiredDealEvent(program: ProgramRow, deal: DealRow, now: number): EventInput {
  return dealEvent(program, SYSTEM_ACTOR, null, { ...deal, status: "approved" }, { ...deal, status: "expired", updatedAt: now });
}

/** The events of the account's deals that the next write taking the account expires (read before that write). */
export async function expiryEvents(db: Db, program: ProgramRow, account: string, now: number): Promise<EventInput[]> {
  return (await staleDeals(db, program.id, account, now)).map((d) => expiredDealEvent(program, d, now));
}

export async function approveDeal(db: Db, program: ProgramRow, deal: DealRow, now: number, actor: Actor = SYSTEM_ACTOR): Promise<Outcome<{ deal: DealRow; closed: string[] }>> {
  if (!canTransition(deal.status, "approve")) return refused(deal, "approve");
  const until = protectionUntil(now, program.dealProtectionDays);
  const after = { ...deal, status: "approved" as const, protectedUntil: until, updatedAt: now };
  const losers = (await otherOpenDeals(db, deal, now)).map((d) =>
    dealEvent(program, SYSTEM_ACTOR, null, d, { ...d, status: "rejected", reason: "conflict_lost", closedAt: now, updatedAt: now }));
  const expiring = await expiryEvents(db, program, deal.account, now);
  const done = await approveDealRow(db, deal, until, now, dealEvent(program, actor, "deal.approve", deal, after), losers, expiring);
  return done ? ok(done) : conflict("this deal was approved or closed meanwhile");
}

/** Rejects or loses a deal (`reason` kept), only from the statuses the domain allows. */
export async function closeDeal(
  db: Db, deal: DealRow, action: "reject" | "lost", reason: string | null, now: number, program: ProgramRow, actor: Actor = SYSTEM_ACTOR,
): Promise<Outcome<DealRow>> {
  if (!canTransition(deal.status, action)) return refused(deal, action);
  const set = { status: targetOf(action), reason, closedAt: now, updatedAt: now };
  const row = await transitionDeal(db, deal.id, allowedFrom(action), set, dealEvent(program, actor, `deal.${action}`, deal, { ...deal, ...set }));
  return row ? ok(row) : conflict("this deal changed meanwhile");
}

/**
 * Marks an approved deal won and records its sale through the one conversion service: orderId
 * `deal:<id>`, source `deal`, attributed via `deal` to the deal's partner, priced by the
 * program's rules like any sale. Idempotent: the same call again (the deal already won with the
 * same amount) records nothing new, and completes a sale a crash left unrecorded. `deal.updated`
 * is written with the deal's change; the sale writes its own `conversion.created` and `commission.created`.
 */
export async function markDealWon(deps: TrackingDeps, program: ProgramRow, deal: DealRow, input: { amount: string | number; closedAt?: string | undefined }, actor: Actor = SYSTEM_ACTOR) {
  const now = deps.now();
  const amount = parseMoney(input.amount, program.currency);
  if (!amount.ok) return invalidInput("amount", amount.message);
  if (amount.minor < 0) return invalidInput("amount", "must not be negative");
  let closedAt = now;
  if (input.closedAt) {
    const d = parseIsoTimestamp(input.closedAt, now);
    if (!d.ok) return invalidInput("closedAt", d.message);
    closedAt = d.ms;
  }
  let won: DealRow | null;
  if (deal.status === "won") {
    if (deal.wonAmount !== amount.minor) return conflict("this deal was already won with another amount");
    won = deal;
  } else {
    if (!canTransition(deal.status, "won")) return refused(deal, "won");
    const set = { status: "won" as const, wonAmount: amount.minor, closedAt, updatedAt: now };
    won = await transitionDeal(deps.db, deal.id, allowedFrom("won"), set, dealEvent(program, actor, "deal.won", deal, { ...deal, ...set }));
    if (!won) return conflict("this deal changed meanwhile");
  }
  const recorded = await recordConversion(deps, program, {
    orderId: `deal:${won.id}`, event: "sale", amount: won.wonAmount, currency: program.currency, clickId: null,
    customerId: won.account, coupon: null, occurredAt: won.closedAt ?? closedAt, source: "deal", dealPartnerId: won.partnerId,
  });
  if (recorded.kind === "conflict") return conflict(recorded.message);
  if (recorded.kind === "ignored") throw new Error("a deal sale cannot be ignored");
  return ok({ deal: won, conversion: recorded.conversion, commission: recorded.commission });
}
