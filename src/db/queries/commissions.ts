import { and, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { adjustments, commissions, programs, type CommissionStatus, type FraudFlag } from "../schema";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { exactSum } from "./sums";

/** Commissions with a given fraud flag ("any": with at least one). */
function flagWhere(flag: FraudFlag | "any" | undefined) {
  if (!flag) return undefined;
  if (flag === "any") return isNotNull(commissions.flags);
  return sql`EXISTS (SELECT 1 FROM json_each(${commissions.flags}) WHERE value = ${flag})`;
}

export async function listCommissions(
  db: Db,
  filter: { vendorId?: string; programId?: string; partnerId?: string; status?: CommissionStatus; from?: number; to?: number; flag?: FraudFlag | "any" },
  page: PageRequest,
) {
  const rows = await db
    .select({ c: commissions })
    .from(commissions)
    .innerJoin(programs, eq(programs.id, commissions.programId))
    .where(
      and(
        filter.vendorId ? eq(programs.vendorId, filter.vendorId) : undefined,
        filter.programId ? eq(commissions.programId, filter.programId) : undefined,
        filter.partnerId ? eq(commissions.partnerId, filter.partnerId) : undefined,
        filter.status ? eq(commissions.status, filter.status) : undefined,
        filter.from !== undefined ? gte(commissions.createdAt, filter.from) : undefined,
        filter.to !== undefined ? lt(commissions.createdAt, filter.to) : undefined,
        flagWhere(filter.flag),
        pageWhere(commissions.createdAt, commissions.id, page.cursor),
      ),
    )
    .orderBy(...pageOrder(commissions.createdAt, commissions.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => r.c), page.limit);
}

/** A partner's commission totals by status, in minor units (exact: sums may pass 2^53). */
export async function partnerBalance(db: Db, partnerId: string): Promise<Record<"hold" | "pending" | "approved" | "paid", bigint>> {
  const rows = await db
    .select({ status: commissions.status, total: exactSum(commissions.amount) })
    .from(commissions)
    .where(eq(commissions.partnerId, partnerId))
    .groupBy(commissions.status);
  const balance = { hold: 0n, pending: 0n, approved: 0n, paid: 0n };
  for (const r of rows) if (r.status in balance) balance[r.status as keyof typeof balance] = r.total;
  return balance;
}


/** Adjustments a commission caused (refunds after it was paid or claimed by a payout), oldest first. */
export async function adjustmentsOf(db: Db, commissionId: string) {
  return db
    .select({ id: adjustments.id, amount: adjustments.amount, currency: adjustments.currency, reason: adjustments.reason, payoutId: adjustments.payoutId, createdAt: adjustments.createdAt })
    .from(adjustments)
    .where(eq(adjustments.commissionId, commissionId))
    .orderBy(adjustments.createdAt, adjustments.id);
}

export async function getAdjustment(db: Db, id: string) {
  const [row] = await db.select().from(adjustments).where(eq(adjustments.id, id));
  return row ?? null;
}
