import type { Db } from "../../db/client";
import { getLead, insertRoutedLead, moveLead, routingCandidates, type LeadMove, type LeadRow, type NewLead } from "../../db/queries/leads";
import type { ProgramRow } from "../../db/queries/programs";
import { respondByOf, routeLead } from "../../domain/leads";

/** The next offer the routing rule makes for a lead (null: nobody eligible). */
export async function nextOffer(db: Db, program: ProgramRow, lead: Pick<LeadRow, "id" | "country" | "vertical" | "minTierRank">, now: number, alsoTried: ReadonlySet<string> = new Set()) {
  const candidates = await routingCandidates(db, program.id, lead, [...alsoTried]);
  const chosen = routeLead(candidates, lead, alsoTried);
  return chosen ? { partnerId: chosen.id, respondBy: respondByOf(now, program.leadSlaHours), manual: false, capacity: chosen.profile.leadCapacity } : null;
}

/** A new lead, routed: stored with its first offer in one transaction (a capacity race routes again). */
export async function storeRoutedLead(db: Db, program: ProgramRow, row: NewLead): Promise<LeadRow> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const offer = await nextOffer(db, program, row, row.createdAt);
    const stored = await insertRoutedLead(db, row, offer);
    if (stored) return stored;
  }
  return (await insertRoutedLead(db, row, null))!;
}

/**
 * Closes a lead's current offer with `outcome` and offers it to the next eligible partner at once
 * (the partner that declined or timed out never again), or leaves it unassigned. Null when another
 * change of the lead won the race (the caller's view is stale).
 */
export async function reroute(db: Db, program: ProgramRow, lead: LeadRow, closeAttempt: NonNullable<LeadMove["closeAttempt"]>, now: number): Promise<LeadRow | null> {
  const tried = new Set(lead.partnerId ? [lead.partnerId] : []);
  let current = lead;
  for (let attempt = 0; attempt < 5; attempt++) {
    const offer = await nextOffer(db, program, current, now, tried);
    const moved = await moveLead(db, { lead: current, closeAttempt, offer, now });
    if (moved) return moved;
    const fresh = await getLead(db, lead.id);
    if (!fresh || fresh.changeToken !== current.changeToken) return null; // someone else moved it
    current = fresh; // the chosen partner filled up meanwhile: route again
  }
  return moveLead(db, { lead: current, closeAttempt, offer: null, now });
}
