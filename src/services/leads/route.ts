import type { Db } from "../../db/client";
import { attemptsOf, getLead, insertRoutedLead, moveLead, routingCandidates, type LeadMove, type LeadRow, type NewLead } from "../../db/queries/leads";
import type { ProgramRow } from "../../db/queries/programs";
import { respondByOf, routeLead } from "../../domain/leads";
import { leadEvent, withEvent, type LeadAudit } from "./events";

/** The next offer the routing rule makes for a lead (null: nobody eligible). */
export async function nextOffer(db: Db, program: ProgramRow, lead: Pick<LeadRow, "id" | "country" | "vertical" | "minTierRank">, now: number, alsoTried: ReadonlySet<string> = new Set()) {
  const candidates = await routingCandidates(db, program.id, lead, [...alsoTried]);
  const chosen = routeLead(candidates, lead, alsoTried);
  return chosen ? { partnerId: chosen.id, respondBy: respondByOf(now, program.leadSlaHours), manual: false, capacity: chosen.profile.leadCapacity } : null;
}

/**
 * A new lead, routed: stored with its first offer and its `lead.updated` event in one
 * transaction (a capacity race routes again).
 */
export async function storeRoutedLead(db: Db, program: ProgramRow, row: NewLead, audit: LeadAudit): Promise<LeadRow> {
  const eventOf = (offer: Awaited<ReturnType<typeof nextOffer>>) => {
    const after: LeadRow = { ...row, status: offer ? "offered" : "unassigned", partnerId: offer?.partnerId ?? null, respondBy: offer?.respondBy ?? null, dealId: null, attemptId: null, changeToken: "" };
    const trail = offer ? [{ id: "", leadId: row.id, partnerId: offer.partnerId, offeredAt: row.createdAt, respondBy: offer.respondBy, outcome: "pending" as const, reason: null, answeredAt: null, manual: false }] : [];
    return leadEvent(program, audit, null, after, trail);
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    const offer = await nextOffer(db, program, row, row.createdAt);
    const stored = await insertRoutedLead(db, row, offer, eventOf(offer));
    if (stored) return stored;
  }
  return (await insertRoutedLead(db, row, null, eventOf(null)))!;
}

/** One move of a lead with its `lead.updated` event, from the trail as it is now. */
export async function moveWithEvent(db: Db, program: ProgramRow, audit: LeadAudit, m: Omit<LeadMove, "event">, trail?: LeadRowTrail): Promise<LeadRow | null> {
  const attempts = trail ?? (await attemptsOf(db, [m.lead.id])).get(m.lead.id) ?? [];
  return moveLead(db, withEvent(program, audit, attempts, m));
}
type LeadRowTrail = Parameters<typeof withEvent>[2];

/**
 * Closes a lead's current offer with `outcome` and offers it to the next eligible partner at once
 * (the partner that declined or timed out never again), or leaves it unassigned, with its
 * `lead.updated` event. Null when another change of the lead won the race (the caller's view is stale).
 */
export async function reroute(
  db: Db, program: ProgramRow, lead: LeadRow, closeAttempt: NonNullable<LeadMove["closeAttempt"]>, now: number, audit: LeadAudit,
): Promise<LeadRow | null> {
  const tried = new Set(lead.partnerId ? [lead.partnerId] : []);
  const trail = (await attemptsOf(db, [lead.id])).get(lead.id) ?? [];
  let current = lead;
  for (let attempt = 0; attempt < 5; attempt++) {
    const offer = await nextOffer(db, program, current, now, tried);
    const moved = await moveWithEvent(db, program, audit, { lead: current, closeAttempt, offer, now }, trail);
    if (moved) return moved;
    const fresh = await getLead(db, lead.id);
    if (!fresh || fresh.changeToken !== current.changeToken) return null; // someone else moved it
    current = fresh; // the chosen partner filled up meanwhile: route again
  }
  return moveWithEvent(db, program, audit, { lead: current, closeAttempt, offer: null, now }, trail);
}
