import type { Db } from "../../db/client";
import { acceptLeadRow, attemptsOf, convertLeadRow, overdueLeads, type LeadRow } from "../../db/queries/leads";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow } from "../../db/queries/programs";
import { otherOpenDeals, type DealRow } from "../../db/queries/deals";
import { protectionUntil } from "../../domain/deals";
import { newId } from "../../domain/ids";
import { respondByOf } from "../../domain/leads";
import { parseMoney } from "../../domain/money";
import { dealFields, type DealInput } from "../deals/register";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";
import { moveWithEvent, reroute, storeRoutedLead } from "./route";
import { leadEvent } from "./events";
import { dealEvent, expiryEvents } from "../deals/decide";
import { SYSTEM_ACTOR, type Actor } from "../../domain/audit";

const partnerActor = (partnerId: string): Actor => ({ kind: "partner", partnerId });
const trailOf = async (db: Db, leadId: string) => (await attemptsOf(db, [leadId])).get(leadId) ?? [];

export interface LeadInput {
  company: string;
  contactName?: string | undefined;
  contactEmail: string;
  country?: string | undefined;
  vertical?: string | undefined;
  value?: string | number | undefined;
  minTierRank?: number | undefined;
}

/** A manager's new lead, routed at once to the partner the rule picks (or unassigned); `lead.create` in the audit log. */
export async function createLead(db: Db, program: ProgramRow, input: LeadInput, now: number, actor: Actor = SYSTEM_ACTOR): Promise<Outcome<LeadRow>> {
  let value: number | null = null;
  if (input.value !== undefined) {
    const m = parseMoney(input.value, program.currency);
    if (!m.ok) return invalidInput("value", m.message);
    if (m.minor < 0) return invalidInput("value", "must not be negative");
    value = m.minor;
  }
  return ok(await storeRoutedLead(db, program, {
    id: newId("lead"), programId: program.id, company: input.company.trim(), contactName: input.contactName?.trim() || null,
    contactEmail: input.contactEmail.trim(), country: input.country?.toUpperCase() ?? null, vertical: input.vertical?.trim().toLowerCase() || null,
    value, minTierRank: input.minTierRank ?? null, createdAt: now, updatedAt: now,
  }, { actor, action: "lead.create" }));
}

/** The partner accepts its offer (after `respondBy` it is too late: 409). */
export async function acceptLead(db: Db, program: ProgramRow, lead: LeadRow, partner: PartnerRow, now: number): Promise<Outcome<LeadRow>> {
  if (lead.status !== "offered") return conflict(`this lead is ${lead.status}, not offered to you`);
  if (lead.respondBy !== null && lead.respondBy <= now) return conflict("the time to answer this lead has passed");
  const trail = (await trailOf(db, lead.id)).map((a) => (a.id === lead.attemptId ? { ...a, outcome: "accepted" as const, answeredAt: now } : a));
  const event = leadEvent(program, { actor: partnerActor(partner.id), action: "lead.accept" }, lead, { ...lead, status: "accepted", updatedAt: now }, trail);
  const accepted = await acceptLeadRow(db, lead, partner.id, now, event);
  return accepted ? ok(accepted) : conflict("this lead changed meanwhile");
}

/** The partner declines its offer: the lead goes to the next eligible partner at once, or becomes unassigned. */
export async function declineLead(db: Db, program: ProgramRow, lead: LeadRow, reason: string | null, now: number): Promise<Outcome<LeadRow>> {
  if (lead.status !== "offered") return conflict(`this lead is ${lead.status}: only an offered lead can be declined`);
  const moved = await reroute(db, program, lead, { outcome: "declined", reason }, now, { actor: partnerActor(lead.partnerId!), action: "lead.decline" });
  return moved ? ok(moved) : conflict("this lead changed meanwhile");
}

/** A manager hands a lead to a partner (approved; capacity not checked), overriding routing; `lead.assign` in the audit log. */
export async function assignLead(db: Db, program: ProgramRow, lead: LeadRow, partner: PartnerRow, now: number, actor: Actor = SYSTEM_ACTOR): Promise<Outcome<LeadRow>> {
  if (partner.programId !== program.id) return invalidInput("partnerId", "no such partner in this program");
  if (partner.status !== "approved") return invalidInput("partnerId", `the partner is ${partner.status}, not approved`);
  if (lead.status === "converted") return conflict("this lead is already a deal");
  const moved = await moveWithEvent(db, program, { actor, action: "lead.assign" }, {
    lead, closeAttempt: { outcome: "reassigned", reason: null }, now,
    offer: { partnerId: partner.id, respondBy: respondByOf(now, program.leadSlaHours), manual: true, capacity: null },
  });
  return moved ? ok(moved) : conflict("this lead changed meanwhile");
}

/** The partner turns its accepted lead into a deal, approved at once (the vendor sent the lead); the value defaults to the lead's. */
export async function convertLead(db: Db, program: ProgramRow, lead: LeadRow, partner: PartnerRow, input: DealInput, now: number): Promise<Outcome<DealRow>> {
  if (lead.status !== "accepted") return conflict(`this lead is ${lead.status}: only an accepted lead becomes a deal`);
  const fields = dealFields(program, input, now);
  if (fields.kind !== "ok") return fields;
  const deal: DealRow = {
    id: newId("deal"), programId: program.id, partnerId: partner.id, ...fields.value,
    value: input.value === undefined || input.value === null ? lead.value : fields.value.value, status: "approved", conflictKind: null, conflictDealId: null,
    protectedUntil: protectionUntil(now, program.dealProtectionDays), reason: null, wonAmount: null, closedAt: null, leadId: lead.id, createdAt: now, updatedAt: now,
  };
  const actor = partnerActor(partner.id);
  const after: LeadRow = { ...lead, status: "converted", dealId: deal.id, updatedAt: now };
  const trail = (await trailOf(db, lead.id)).map((a) => (a.id === lead.attemptId ? { ...a, outcome: "converted" as const, answeredAt: now } : a));
  const losers = (await otherOpenDeals(db, deal, now)).map((d) =>
    dealEvent(program, SYSTEM_ACTOR, null, d, { ...d, status: "rejected", reason: "conflict_lost", closedAt: now, updatedAt: now }));
  const converted = await convertLeadRow(db, lead, deal, now, [
    leadEvent(program, { actor, action: "lead.convert" }, lead, after, trail),
    dealEvent(program, actor, "deal.register", null, deal),
  ], losers, await expiryEvents(db, program, deal.account, now));
  return converted ? ok(deal) : conflict("this lead changed meanwhile");
}

/**
 * Settle: offers whose `respondBy` has passed are closed as timed out and the lead moves on.
 * Safe to run twice at once: each lead's move is guarded by its change token, so one run moves
 * it and the other finds it moved.
 */
export async function timeOutLeads(db: Db, program: ProgramRow, now: number): Promise<number> {
  let moved = 0;
  for (;;) {
    const due = await overdueLeads(db, program.id, now);
    if (due.length === 0) return moved;
    let progressed = 0;
    for (const lead of due) {
      // null: a concurrent run (or the partner) moved it first
      if (await reroute(db, program, lead, { outcome: "timed_out", reason: null }, now, { actor: SYSTEM_ACTOR, action: null })) progressed++;
    }
    moved += progressed;
    if (progressed === 0 || due.length < 500) return moved;
  }
}
