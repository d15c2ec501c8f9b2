import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, partners, programs } from "../schema";
import { newId } from "../../domain/ids";
import { newKeyRow } from "./keys";
import { nextNum } from "./programs";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { tablesChanged } from "../changes";
import { eventInsert, writeWithEvent, type EventInput } from "./events";
import { textSearch } from "./search";

export type PartnerRow = typeof partners.$inferSelect;

/** Emails are unique per program whatever their case. */
export const emailKeyOf = (email: string) => email.toLowerCase();

/**
 * Stores a partner (with a new partner key). Fails with a unique violation on `partners.coupon_key`
 * or `partners.email_key` when another partner of the program has the coupon or the email.
 */
/** What a manager sets on a new partner (lead profile, source and referrer keep their defaults). */
type NewPartnerRow = Omit<PartnerRow, "num" | "leadCountries" | "leadVerticals" | "leadCapacity" | "lastLeadOfferAt" | "openLeads" | "source" | "referredBy">;

export async function insertPartner(
  db: Db,
  input: { vendorId: string; programId: string; name: string; email: string; coupon: string | null; tierId: string },
  now: number,
  event: ((row: NewPartnerRow) => EventInput) | null = null,
) {
  const id = newId("ptn");
  const key = newKeyRow("partner", { vendorId: input.vendorId, programId: input.programId, partnerId: id }, now);
  // the event names the fields a manager sets; the lead profile starts empty (co-selling)
  const row: NewPartnerRow = {
    id, programId: input.programId, name: input.name, email: input.email,
    status: "approved" as const, tierId: input.tierId, coupon: input.coupon, couponKey: input.coupon?.toLowerCase() ?? null, emailKey: emailKeyOf(input.email), postbackUrl: null, createdAt: now,
  };
  await db.batch([
    db.insert(partners).values({ ...row, num: nextNum("partners") }),
    db.insert(apiKeys).values(key.row),
    ...(event ? [eventInsert(db, event(row), now)] : []),
  ]);
  tablesChanged();
  return { partner: (await getPartner(db, id))!, apiKey: key.key };
}

/** A partner of one of the vendor's programs. */
export async function getVendorPartner(db: Db, vendorId: string, id: string): Promise<PartnerRow | null> {
  const [row] = await db
    .select({ p: partners })
    .from(partners)
    .innerJoin(programs, eq(programs.id, partners.programId))
    .where(and(eq(partners.id, id), eq(programs.vendorId, vendorId)));
  return row?.p ?? null;
}

/**
 * Changes a partner's name, email, coupon or status; unique violations as for insertPartner.
 * (A status changes nothing else yet: what it means for attribution comes with its own issue.)
 */
export type PartnerChanges = Partial<Pick<PartnerRow, "name" | "email" | "coupon" | "status" | "leadCountries" | "leadVerticals" | "leadCapacity" | "postbackUrl">>;
export async function updatePartner(db: Db, id: string, changes: PartnerChanges, event: EventInput | null = null, now = Date.now()): Promise<PartnerRow | null> {
  const set: Partial<PartnerRow> = { ...changes };
  if (changes.email !== undefined) set.emailKey = emailKeyOf(changes.email);
  if (changes.coupon !== undefined) set.couponKey = changes.coupon?.toLowerCase() ?? null;
  if (Object.keys(set).length === 0) return getPartner(db, id);
  const [row] = await writeWithEvent(db, db.update(partners).set(set).where(eq(partners.id, id)).returning(), event, now);
  tablesChanged();
  return row ?? null;
}

export async function getPartner(db: Db, id: string): Promise<PartnerRow | null> {
  const [row] = await db.select().from(partners).where(eq(partners.id, id));
  return row ?? null;
}

export async function getProgramPartner(db: Db, programId: string, id: string): Promise<PartnerRow | null> {
  const [row] = await db.select().from(partners).where(and(eq(partners.id, id), eq(partners.programId, programId)));
  return row ?? null;
}

export async function findPartnerByCoupon(db: Db, programId: string, coupon: string): Promise<PartnerRow | null> {
  const [row] = await db.select().from(partners).where(and(eq(partners.programId, programId), eq(partners.couponKey, coupon.toLowerCase())));
  return row ?? null;
}

/** `q` finds partners by a part of their name, email or coupon. */
export const partnerSearch = (q: string | undefined) => textSearch(q, [partners.name, partners.email, partners.coupon]);

export async function listPartners(db: Db, programId: string, page: PageRequest, q?: string) {
  const rows = await db
    .select()
    .from(partners)
    .where(and(eq(partners.programId, programId), partnerSearch(q), pageWhere(partners.createdAt, partners.id, page.cursor)))
    .orderBy(...pageOrder(partners.createdAt, partners.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** Every partner of a program, newest first (filters computed outside SQL, such as the journey stage). */
export async function allProgramPartners(db: Db, programId: string): Promise<PartnerRow[]> {
  return db.select().from(partners).where(eq(partners.programId, programId)).orderBy(...pageOrder(partners.createdAt, partners.id));
}
