import { formatMoney, formatPercent } from "../../domain/money";
import type { EventRow } from "../../db/queries/events";
import { actorJson } from "../../domain/audit";
import type { CommissionRow, ConversionRow } from "../../db/queries/conversions";
import type { LinkRow } from "../../db/queries/links";
import type { PartnerRow } from "../../db/queries/partners";
import type { ProgramRow, RuleRow } from "../../db/queries/programs";
import type { DeliveryRow, EndpointRow } from "../../db/queries/webhooks";

/** Row → response JSON. Money becomes decimal strings, times ISO-8601 UTC. */
export const iso = (ms: number) => new Date(ms).toISOString();

export function programJson(p: ProgramRow) {
  return {
    id: p.id, name: p.name, currency: p.currency, cookieDays: p.cookieDays, attribution: p.attribution, holdDays: p.holdDays,
    allowedDomains: p.allowedDomains, clickParam: p.clickParam, minPayout: formatMoney(p.minPayout, p.currency),
    minConversionSeconds: p.minConversionSeconds, dealProtectionDays: p.dealProtectionDays, leadSlaHours: p.leadSlaHours, createdAt: iso(p.createdAt),
    handle: p.handle, applications: p.applications,
  };
}

export function partnerJson(p: PartnerRow) {
  return {
    id: p.id, programId: p.programId, name: p.name, email: p.email, status: p.status, tierId: p.tierId, coupon: p.coupon, postbackUrl: p.postbackUrl ?? null,
    profile: { countries: p.leadCountries, verticals: p.leadVerticals, leadCapacity: p.leadCapacity }, createdAt: iso(p.createdAt),
    source: p.source, referredBy: p.referredBy,
  };
}

export function linkJson(l: LinkRow & { clicks?: number; botClicks?: number }, publicUrl: string) {
  return {
    id: l.id, slug: l.slug, url: `${publicUrl}/${l.slug}`, destination: l.destination, programId: l.programId, partnerId: l.partnerId,
    allowDeepLinks: l.allowDeepLinks, archived: l.archived, createdAt: iso(l.createdAt),
    ...(l.clicks !== undefined ? { clicks: l.clicks, botClicks: l.botClicks ?? 0 } : {}),
  };
}

export function commissionJson(c: CommissionRow) {
  return {
    id: c.id, conversionId: c.conversionId, partnerId: c.partnerId, amount: formatMoney(c.amount, c.currency), currency: c.currency,
    status: c.status, createdAt: iso(c.createdAt), availableAt: iso(c.availableAt), flags: c.flags ?? [],
  };
}

export function ruleJson(r: RuleRow, currency: string) {
  return {
    id: r.id, programId: r.programId, tierId: r.tierId, event: r.event, type: r.type,
    value: r.type === "percent" ? formatPercent(r.value) : formatMoney(r.value, currency), durationMonths: r.durationMonths, createdAt: iso(r.createdAt),
    archived: r.archivedAt !== null, archivedAt: r.archivedAt === null ? null : iso(r.archivedAt),
  };
}

export function conversionJson(c: ConversionRow, commission: CommissionRow | null) {
  return {
    id: c.id, orderId: c.orderId, event: c.event, amount: formatMoney(c.amount, c.currency), refunded: formatMoney(c.refunded, c.currency),
    currency: c.currency, source: c.source, status: c.status, reason: c.reason,
    attribution:
      c.status === "attributed" && c.partnerId && c.via
        ? { partnerId: c.partnerId, linkId: c.linkId, clickId: c.clickId, model: c.model, via: c.via }
        : null,
    commission: commission
      ? { id: commission.id, amount: formatMoney(commission.amount, commission.currency), currency: commission.currency, status: commission.status, flags: commission.flags ?? [] }
      : null,
    occurredAt: iso(c.occurredAt), createdAt: iso(c.createdAt),
  };
}

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** A webhook endpoint as the API shows it (never its secret: that is shown once, when made). */
export function endpointJson(e: EndpointRow) {
  return {
    id: e.id, url: e.url, events: e.events, programId: e.programId, enabled: e.enabled, disabledReason: e.disabledReason,
    disabledAt: isoOrNull(e.disabledAt), createdAt: iso(e.createdAt),
  };
}

/** One attempt of the delivery log; a pending one shows when it is due as `nextAttemptAt`. */
export function deliveryJson(d: DeliveryRow) {
  return {
    id: d.id, eventId: d.eventId, eventType: d.eventType, attempt: d.attempt, status: d.status, at: isoOrNull(d.at), statusCode: d.statusCode,
    durationMs: d.durationMs, error: d.error, responseExcerpt: d.responseExcerpt,
    nextAttemptAt: d.status === "pending" ? iso(d.dueAt) : isoOrNull(d.nextAttemptAt), url: d.url,
  };
}

/** An event as the audit log shows it: when, who (by key or partner id, never a secret), what, and the diff. */
export function auditEntryJson(e: EventRow) {
  return {
    id: e.id, at: iso(e.createdAt), actor: actorJson(e.actorKind, e.actorKeyId, e.actorPartnerId), action: e.action ?? "",
    programId: e.programId, object: { type: e.objectType, id: e.objectId }, changes: e.changes ?? {},
  };
}
