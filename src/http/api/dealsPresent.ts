import type { DealRow } from "../../db/queries/deals";
import type { AttemptRow, LeadRow } from "../../db/queries/leads";
import { formatMoney } from "../../domain/money";
import { iso } from "./present";

const money = (minor: number | null, currency: string) => (minor === null ? null : formatMoney(minor, currency));
const when = (ms: number | null) => (ms === null ? null : iso(ms));

/**
 * A deal as its partner sees it: whom it conflicts with is never told (not the other deal's
 * id, partner or name), only the kind of conflict.
 */
export function partnerDealJson(d: DealRow, currency: string) {
  return {
    id: d.id, programId: d.programId, status: d.status, company: d.company, domain: d.domain, account: d.account,
    contactName: d.contactName, contactEmail: d.contactEmail, value: money(d.value, currency), currency,
    expectedCloseAt: when(d.expectedCloseAt), notes: d.notes,
    conflict: d.conflictKind ? { kind: d.conflictKind, dealId: null } : null,
    protectedUntil: when(d.protectedUntil), reason: d.reason, wonAmount: money(d.wonAmount, currency), closedAt: when(d.closedAt),
    leadId: d.leadId, createdAt: iso(d.createdAt), updatedAt: iso(d.updatedAt),
  };
}

/** A deal as the manager sees it: the partner, and the deal it conflicted with. */
export function managerDealJson(d: DealRow, currency: string) {
  return { ...partnerDealJson(d, currency), partnerId: d.partnerId, conflict: d.conflictKind ? { kind: d.conflictKind, dealId: d.conflictDealId } : null };
}

export function attemptJson(a: AttemptRow) {
  return { partnerId: a.partnerId, offeredAt: iso(a.offeredAt), respondBy: when(a.respondBy), outcome: a.outcome, reason: a.reason, answeredAt: when(a.answeredAt), manual: a.manual };
}

/** A lead; `attempts` is the whole trail for the manager, the partner's own offers for a partner. */
export function leadJson(l: LeadRow, currency: string, attempts: AttemptRow[]) {
  return {
    id: l.id, programId: l.programId, status: l.status, partnerId: l.partnerId, respondBy: when(l.respondBy),
    company: l.company, contactName: l.contactName, contactEmail: l.contactEmail, country: l.country, vertical: l.vertical,
    value: money(l.value, currency), currency, minTierRank: l.minTierRank, dealId: l.dealId,
    attempts: attempts.map(attemptJson), createdAt: iso(l.createdAt), updatedAt: iso(l.updatedAt),
  };
}
