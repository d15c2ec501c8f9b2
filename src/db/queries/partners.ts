import { and, eq } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, partners } from "../schema";
import { newId } from "../../domain/ids";
import { newKeyRow } from "./keys";
import { nextNum } from "./programs";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { tablesChanged } from "../changes";

export type PartnerRow = typeof partners.$inferSelect;

export async function insertPartner(
  db: Db,
  input: { vendorId: string; programId: string; name: string; email: string; coupon: string | null; tierId: string },
  now: number,
) {
  const id = newId("ptn");
  const key = newKeyRow("partner", { vendorId: input.vendorId, programId: input.programId, partnerId: id }, now);
  await db.batch([
    db.insert(partners).values({
      id, num: nextNum("partners"), programId: input.programId, name: input.name, email: input.email,
      status: "approved", tierId: input.tierId, coupon: input.coupon, couponKey: input.coupon?.toLowerCase() ?? null, createdAt: now,
    }),
    db.insert(apiKeys).values(key.row),
  ]);
  tablesChanged();
  return { partner: (await getPartner(db, id))!, apiKey: key.key };
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

export async function listPartners(db: Db, programId: string, page: PageRequest) {
  const rows = await db
    .select()
    .from(partners)
    .where(and(eq(partners.programId, programId), pageWhere(partners.createdAt, partners.id, page.cursor)))
    .orderBy(...pageOrder(partners.createdAt, partners.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
