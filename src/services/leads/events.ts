import type { EventInput } from "../../db/queries/events";
import type { AttemptRow, LeadMove, LeadRow } from "../../db/queries/leads";
import type { ProgramRow } from "../../db/queries/programs";
import { diffChanges, type Actor } from "../../domain/audit";
import { leadJson } from "../../http/api/dealsPresent";

/** Who moved a lead and the audit action (null: not someone's decision, e.g. a time-out by settle). */
export interface LeadAudit {
  actor: Actor;
  action: string | null;
}

/**
 * `lead.updated` for webhooks (the contract has no `lead.created`: a new lead is its first
 * update) and, when someone decided it, the audit entry: the lead as the manager sees it, with
 * its whole trail, after the change.
 */
export function leadEvent(program: ProgramRow, audit: LeadAudit, before: LeadRow | null, after: LeadRow, trail: AttemptRow[]): EventInput {
  return {
    vendorId: program.vendorId, programId: program.id, type: "lead.updated", action: audit.action, actor: audit.actor, object: { type: "lead", id: after.id },
    changes: diffChanges(before, after, ["status", "partnerId", "respondBy", "dealId"]), data: leadJson(after, program.currency, trail),
  };
}

/** The lead after a move (what moveLead writes, but its tokens, which no one shows). */
export function movedLead(m: Omit<LeadMove, "event">): LeadRow {
  return { ...m.lead, status: m.offer ? "offered" : "unassigned", partnerId: m.offer?.partnerId ?? null, respondBy: m.offer?.respondBy ?? null, updatedAt: m.now };
}

/**
 * The trail after a move: the current pending offer closed with its outcome, the new offer (if
 * any) appended: what the stored rows will be once the move commits.
 */
export function trailAfter(trail: AttemptRow[], m: Omit<LeadMove, "event">): AttemptRow[] {
  const closed = trail.map((a) => (a.id === m.lead.attemptId && a.outcome === "pending"
    ? { ...a, outcome: m.closeAttempt?.outcome ?? "reassigned", reason: m.closeAttempt?.reason ?? null, answeredAt: m.now }
    : a));
  if (!m.offer) return closed;
  return [...closed, { id: "", leadId: m.lead.id, partnerId: m.offer.partnerId, offeredAt: m.now, respondBy: m.offer.respondBy, outcome: "pending", reason: null, answeredAt: null, manual: m.offer.manual }];
}

/** A move with its `lead.updated` event. */
export function withEvent(program: ProgramRow, audit: LeadAudit, trail: AttemptRow[], m: Omit<LeadMove, "event">): LeadMove {
  return { ...m, event: leadEvent(program, audit, m.lead, movedLead(m), trailAfter(trail, m)) };
}
