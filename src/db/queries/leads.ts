import { insertWhere } from "./guarded";
import { and, asc, eq, getTableColumns, inArray, lte, sql, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { deals, leadAttempts, leads, partners, programs, tiers } from "../schema";
import type { LeadStatus, RoutingCandidate } from "../../domain/leads";
import { newId, newToken } from "../../domain/ids";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { expireStale, type DealRow } from "./deals";
import { acceptedCurrent } from "./agreements";
import { eventInsert, type EventInput } from "./events";

export type LeadRow = typeof leads.$inferSelect;
export type AttemptRow = typeof leadAttempts.$inferSelect;

const OPEN = sql`('offered', 'accepted')`;

/**
 * The best few partners that may be offered a lead, in the rule's order: the routing rule of
 * src/domain/leads.ts in SQL (approved, tier rank, capacity left by the kept open-lead count,
 * country and vertical, not declined or timed out on this lead, not excluded, accepted the current
 * agreement (or the program has none): one indexed probe per candidate), so that a program
 * of 10,000 partners sends only a handful of rows; the domain rule then decides among them.
 */
export async function routingCandidates(
  db: Db, programId: string, lead: { id: string; country: string | null; vertical: string | null; minTierRank: number | null }, exclude: readonly string[] = [], limit = 20,
): Promise<RoutingCandidate[]> {
  const matches = (column: string, value: string | null) =>
    value === null ? sql.raw(`${column} = '[]'`) : sql`(${sql.raw(column)} = '[]' OR EXISTS (SELECT 1 FROM json_each(${sql.raw(column)}) WHERE value = ${value}))`;
  const excluded = exclude.length ? sql`AND p.id NOT IN (${sql.join(exclude.map((id) => sql`${id}`), sql`, `)})` : sql``;
  const rs = await db.all<{ id: string; status: string; countries: string; verticals: string; capacity: number; last: number | null; rank: number; open: number; accepted: number }>(sql`
    SELECT p.id, p.status, p.lead_countries AS countries, p.lead_verticals AS verticals, p.lead_capacity AS capacity,
      p.last_lead_offer_at AS last, t.rank, p.open_leads AS open, ${acceptedCurrent(programId, sql.raw("p.id"))} AS accepted
    FROM partners p JOIN tiers t ON t.id = p.tier_id
    WHERE p.program_id = ${programId} AND p.status = 'approved' AND p.open_leads < p.lead_capacity AND t.rank >= ${lead.minTierRank ?? 0}
      AND ${matches("p.lead_countries", lead.country)} AND ${matches("p.lead_verticals", lead.vertical)} ${excluded}
      AND p.id NOT IN (SELECT a.partner_id FROM lead_attempts a WHERE a.lead_id = ${lead.id} AND a.outcome IN ('declined', 'timed_out'))
      AND accepted
    ORDER BY p.open_leads, p.last_lead_offer_at, p.id LIMIT ${limit}`);
  return rs.map((r) => ({
    id: r.id, status: r.status, agreementAccepted: Number(r.accepted) === 1, tierRank: Number(r.rank), openLeads: Number(r.open), lastOfferAt: r.last === null ? null : Number(r.last),
    profile: { countries: JSON.parse(r.countries) as string[], verticals: JSON.parse(r.verticals) as string[], leadCapacity: Number(r.capacity) },
  }));
}

/** The partners a lead declined or timed out on (never offered it again). */
export async function triedPartners(db: Db, leadId: string): Promise<Set<string>> {
  const rows = await db.select({ p: leadAttempts.partnerId }).from(leadAttempts).where(and(eq(leadAttempts.leadId, leadId), inArray(leadAttempts.outcome, ["declined", "timed_out"])));
  return new Set(rows.map((r) => r.p));
}

const tokenIs = (leadId: string, token: string) => sql`EXISTS (SELECT 1 FROM leads WHERE id = ${leadId} AND change_token = ${token})`;

export interface LeadMove {
  lead: LeadRow;
  /** the outcome of the current offer, when there is one (declined, timed_out, reassigned, accepted, converted) */
  closeAttempt?: { outcome: AttemptRow["outcome"]; reason: string | null } | undefined;
  /** the next offer, or null: unassigned */
  offer: { partnerId: string; respondBy: number; manual: boolean; capacity: number | null } | null;
  now: number;
  /** the outbox row of the move (`lead.updated`), written only when the move wins */
  event?: EventInput | null;
}

/**
 * Moves a lead on in one transaction: closes its current offer with an outcome and offers it to
 * the next partner (or leaves it unassigned). The lead's change is guarded by its change token
 * (a concurrent move wins or loses as a whole) and, for a routed offer, by the partner's capacity
 * at that moment; every other write runs only if that change won. Null when it lost.
 */
export async function moveLead(db: Db, m: LeadMove): Promise<LeadRow | null> {
  const token = newToken();
  const attemptId = m.offer ? newId("att") : null;
  const capacityOk = m.offer && m.offer.capacity !== null
    ? sql`(SELECT open_leads FROM partners WHERE id = ${m.offer.partnerId}) < ${m.offer.capacity}`
    : sql`1`;
  const wasOpen = (m.lead.status === "offered" || m.lead.status === "accepted") && m.lead.partnerId !== null;
  const [moved] = await db.batch([
    db.update(leads).set({
      status: m.offer ? "offered" : "unassigned", partnerId: m.offer?.partnerId ?? null, respondBy: m.offer?.respondBy ?? null,
      attemptId, changeToken: token, updatedAt: m.now,
    }).where(and(eq(leads.id, m.lead.id), eq(leads.changeToken, m.lead.changeToken), capacityOk)).returning(),
    db.update(leadAttempts).set({ outcome: m.closeAttempt?.outcome ?? "reassigned", reason: m.closeAttempt?.reason ?? null, answeredAt: m.now })
      .where(and(eq(leadAttempts.id, m.lead.attemptId ?? ""), eq(leadAttempts.outcome, "pending"), tokenIs(m.lead.id, token))),
    db.update(partners).set({ openLeads: sql`max(0, ${partners.openLeads} - 1)` }).where(and(eq(partners.id, wasOpen ? m.lead.partnerId! : ""), tokenIs(m.lead.id, token))),
    ...(m.offer
      ? [
        insertWhere(db, leadAttempts, { id: attemptId, leadId: m.lead.id, partnerId: m.offer.partnerId, offeredAt: m.now, respondBy: m.offer.respondBy, outcome: "pending", reason: null, answeredAt: null, manual: m.offer.manual }, tokenIs(m.lead.id, token)),
        db.update(partners).set({ lastLeadOfferAt: m.now, openLeads: sql`${partners.openLeads} + 1` }).where(and(eq(partners.id, m.offer.partnerId), tokenIs(m.lead.id, token))),
      ]
      : []),
    ...(m.event ? [eventInsert(db, m.event, m.now, tokenIs(m.lead.id, token))] : []),
  ] as const);
  return (moved as LeadRow[])[0] ?? null;
}

export type NewLead = Omit<LeadRow, "changeToken" | "attemptId" | "status" | "partnerId" | "respondBy" | "dealId">;

/**
 * Stores a new lead with its first offer (or unassigned) in one transaction; the offer holds only
 * while the partner still has capacity (else nothing is written and null comes back: route again).
 */
export async function insertRoutedLead(
  db: Db, row: NewLead, offer: { partnerId: string; respondBy: number; capacity: number } | null, event: EventInput | null = null,
): Promise<LeadRow | null> {
  const attemptId = offer ? newId("att") : null;
  const full: LeadRow = {
    ...row, status: offer ? "offered" : "unassigned", partnerId: offer?.partnerId ?? null, respondBy: offer?.respondBy ?? null,
    dealId: null, attemptId, changeToken: newToken(),
  };
  if (!offer) {
    await db.batch([db.insert(leads).values(full), ...(event ? [eventInsert(db, event, row.createdAt)] : [])]);
    return full;
  }
  const stored = sql`EXISTS (SELECT 1 FROM leads WHERE id = ${full.id})`;
  const [inserted] = await db.batch([
    insertWhere(db, leads, full, sql`(SELECT open_leads FROM partners WHERE id = ${offer.partnerId}) < ${offer.capacity}`),
    insertWhere(db, leadAttempts, { id: attemptId, leadId: full.id, partnerId: offer.partnerId, offeredAt: row.createdAt, respondBy: offer.respondBy, outcome: "pending", reason: null, answeredAt: null, manual: false }, stored),
    db.update(partners).set({ lastLeadOfferAt: row.createdAt, openLeads: sql`${partners.openLeads} + 1` }).where(and(eq(partners.id, offer.partnerId), stored)),
    ...(event ? [eventInsert(db, event, row.createdAt, stored)] : []),
  ]);
  return inserted.rowsAffected === 1 ? full : null;
}

/** A partner accepts its offer before `respondBy`; null when the lead is not (or no longer) offered to it in time. */
export async function acceptLeadRow(db: Db, lead: LeadRow, partnerId: string, now: number, event: EventInput | null = null): Promise<LeadRow | null> {
  const token = newToken();
  const [accepted] = await db.batch([
    db.update(leads).set({ status: "accepted", changeToken: token, updatedAt: now })
      .where(and(eq(leads.id, lead.id), eq(leads.partnerId, partnerId), eq(leads.status, "offered"), sql`${leads.respondBy} > ${now}`)).returning(),
    db.update(leadAttempts).set({ outcome: "accepted", answeredAt: now }).where(and(eq(leadAttempts.id, lead.attemptId ?? ""), tokenIs(lead.id, token))),
    ...(event ? [eventInsert(db, event, now, tokenIs(lead.id, token))] : []),
  ]);
  return accepted[0] ?? null;
}

/**
 * An accepted lead becomes an approved deal of its partner, in one transaction: the vendor sent
 * the lead, so no conflict check; another open deal of the account is closed as
 * `rejected`/`conflict_lost` (the one-holder index allows one). Null when the lead was not
 * accepted by this partner any more.
 */
export async function convertLeadRow(
  db: Db, lead: LeadRow, deal: DealRow, now: number, events: EventInput[] = [],
  /** deal.updated of the open deals of the account this closes (read before), each written only if it closed that deal */
  loserEvents: EventInput[] = [],
  /** deal.updated of the account's deals whose protection passed (`staleDeals`), which this expires */
  expiring: EventInput[] = [],
): Promise<LeadRow | null> {
  const token = newToken();
  const won = tokenIs(lead.id, token);
  const [converted] = await db.batch([
    db.update(leads).set({ status: "converted", dealId: deal.id, changeToken: token, updatedAt: now })
      .where(and(eq(leads.id, lead.id), eq(leads.partnerId, deal.partnerId), eq(leads.status, "accepted"), eq(leads.changeToken, lead.changeToken))).returning(),
    ...expireStale(db, deal.programId, deal.account, now, expiring, won),
    db.update(deals).set({ status: "rejected", reason: "conflict_lost", closedAt: now, updatedAt: now })
      .where(and(eq(deals.programId, deal.programId), eq(deals.account, deal.account), inArray(deals.status, ["submitted", "approved"]), won)),
    ...loserEvents.map((e) => eventInsert(db, e, now, sql`${won} AND EXISTS (SELECT 1 FROM deals d WHERE d.id = ${e.object.id} AND d.status = 'rejected' AND d.reason = 'conflict_lost' AND d.updated_at = ${now})`)),
    insertWhere(db, deals, deal, won),
    db.update(leadAttempts).set({ outcome: "converted", answeredAt: now }).where(and(eq(leadAttempts.id, lead.attemptId ?? ""), won)),
    db.update(partners).set({ openLeads: sql`max(0, ${partners.openLeads} - 1)` }).where(and(eq(partners.id, deal.partnerId), won)),
    ...events.map((e) => eventInsert(db, e, now, won)),
  ]);
  return converted[0] ?? null;
}

export async function getLead(db: Db, id: string): Promise<LeadRow | null> {
  const [row] = await db.select().from(leads).where(eq(leads.id, id));
  return row ?? null;
}

/** A lead of one of the vendor's programs, with its program. */
export async function getVendorLead(db: Db, vendorId: string, id: string) {
  const [row] = await db.select({ lead: leads, program: programs }).from(leads).innerJoin(programs, eq(programs.id, leads.programId))
    .where(and(eq(leads.id, id), eq(programs.vendorId, vendorId)));
  return row ?? null;
}

/** A lead as a partner may see it: currently offered to or held by it, or once offered to it. */
export async function getPartnerLead(db: Db, partnerId: string, id: string): Promise<LeadRow | null> {
  const [row] = await db.select().from(leads).where(and(eq(leads.id, id), eq(leads.partnerId, partnerId)));
  return row ?? null;
}

export async function listProgramLeads(db: Db, programId: string, filter: { status?: LeadStatus }, page: PageRequest) {
  const rows = await db.select().from(leads)
    .where(and(eq(leads.programId, programId), filter.status ? eq(leads.status, filter.status) : undefined, pageWhere(leads.createdAt, leads.id, page.cursor)))
    .orderBy(...pageOrder(leads.createdAt, leads.id)).limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** The leads a partner holds now (offered to it or accepted by it, or converted into its deal). */
export async function listPartnerLeads(db: Db, partnerId: string, filter: { status?: LeadStatus }, page: PageRequest) {
  const rows = await db.select().from(leads)
    .where(and(eq(leads.partnerId, partnerId), filter.status ? eq(leads.status, filter.status) : undefined, pageWhere(leads.createdAt, leads.id, page.cursor)))
    .orderBy(...pageOrder(leads.createdAt, leads.id)).limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** The attempts trail of some leads, oldest offer first. */
export async function attemptsOf(db: Db, leadIds: string[]): Promise<Map<string, AttemptRow[]>> {
  const out = new Map<string, AttemptRow[]>();
  if (leadIds.length === 0) return out;
  const rows = await db.select().from(leadAttempts).where(inArray(leadAttempts.leadId, leadIds)).orderBy(asc(leadAttempts.offeredAt), sql`rowid`); // rowid: offers of one instant in the order they were made
  for (const r of rows) out.set(r.leadId, [...(out.get(r.leadId) ?? []), r]);
  return out;
}

/** Offered leads whose time to answer has passed (settle re-offers them). */
export async function overdueLeads(db: Db, programId: string, now: number, limit = 500): Promise<LeadRow[]> {
  return db.select().from(leads).where(and(eq(leads.programId, programId), eq(leads.status, "offered"), lte(leads.respondBy, now))).limit(limit);
}

/** A partner's tier rank (manual assignment needs nothing else). */
export async function tierRankOf(db: Db, tierId: string): Promise<number> {
  const [row] = await db.select({ rank: tiers.rank }).from(tiers).where(eq(tiers.id, tierId));
  return row?.rank ?? 0;
}

/** Every partner of a program with its lead profile and open leads (the routing settings page). */
export async function partnerProfiles(db: Db, programId: string) {
  return db.all<{ id: string; name: string; status: string; countries: string; verticals: string; capacity: number; last: number | null; open: number }>(sql`
    SELECT p.id, p.name, p.status, p.lead_countries AS countries, p.lead_verticals AS verticals, p.lead_capacity AS capacity, p.last_lead_offer_at AS last,
      p.open_leads AS open
    FROM partners p WHERE p.program_id = ${programId} ORDER BY p.name, p.id LIMIT 1000`);
}
