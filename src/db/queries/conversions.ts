import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { contribution, delta } from "../../domain/reporting";
import { newToken } from "../../domain/ids";
import { statKeysOf, statsDelta } from "./stats";
import { commissions, conversions, customers, idempotencyKeys, programs } from "../schema";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";

export type ConversionRow = typeof conversions.$inferSelect;
export type CommissionRow = typeof commissions.$inferSelect;

export async function findConversion(db: Db, programId: string, event: string, orderId: string): Promise<ConversionRow | null> {
  const [row] = await db
    .select()
    .from(conversions)
    .where(and(eq(conversions.programId, programId), eq(conversions.event, event as "sale"), eq(conversions.orderId, orderId)));
  return row ?? null;
}

export async function getConversion(db: Db, id: string): Promise<ConversionRow | null> {
  const [row] = await db.select().from(conversions).where(eq(conversions.id, id));
  return row ?? null;
}

export async function commissionOf(db: Db, conversionId: string): Promise<CommissionRow | null> {
  const [row] = await db.select().from(commissions).where(eq(commissions.conversionId, conversionId));
  return row ?? null;
}

export async function findCustomer(db: Db, programId: string, externalId: string) {
  const [row] = await db.select().from(customers).where(and(eq(customers.programId, programId), eq(customers.externalId, externalId)));
  return row ?? null;
}

/** first_click: the earliest click among this customer's attributed conversions since `since`. */
export async function earliestCustomerClick(db: Db, programId: string, customerId: string, since: number) {
  const [row] = await db
    .select({ clickId: conversions.clickId, clickTs: conversions.clickTs, linkId: conversions.linkId, partnerId: conversions.partnerId })
    .from(conversions)
    .where(
      and(
        eq(conversions.programId, programId), eq(conversions.customerId, customerId), eq(conversions.status, "attributed"),
        isNotNull(conversions.clickTs), gte(conversions.clickTs, since),
      ),
    )
    .orderBy(asc(conversions.clickTs))
    .limit(1);
  if (!row?.clickId || row.clickTs === null || !row.linkId || !row.partnerId) return null;
  return { clickId: row.clickId, clickTs: row.clickTs, linkId: row.linkId, partnerId: row.partnerId };
}

/**
 * Stores a conversion with its commission and customer mapping atomically, without an
 * interactive transaction (so it works the same over HTTP to Turso): the conversion insert is
 * a no-op when its key exists, and the dependent writes only happen when our row is there.
 * Returns whether this call created the conversion.
 */
export async function insertConversion(db: Db, programNum: number, conversion: ConversionRow, commission: CommissionRow | null): Promise<boolean> {
  const ours = sql`EXISTS (SELECT 1 FROM conversions WHERE id = ${conversion.id})`;
  const statements = [db.insert(conversions).values(conversion).onConflictDoNothing()] as const;
  const dependent = [];
  if (commission) {
    dependent.push(
      db.run(sql`INSERT INTO commissions (id, program_id, partner_id, conversion_id, rule_id, tier_id, amount, original_amount, currency, status, available_at, payout_id, created_at, updated_at)
        SELECT ${commission.id}, ${commission.programId}, ${commission.partnerId}, ${commission.conversionId}, ${commission.ruleId}, ${commission.tierId},
               ${commission.amount}, ${commission.originalAmount}, ${commission.currency}, ${commission.status}, ${commission.availableAt}, NULL,
               ${commission.createdAt}, ${commission.updatedAt}
        WHERE ${ours}`),
    );
  }
  if (conversion.customerId && conversion.partnerId) {
    const t = conversion.occurredAt;
    dependent.push(
      db.run(sql`INSERT INTO customers (program_id, external_id, first_partner_id, first_at, last_partner_id, last_at)
        SELECT ${conversion.programId}, ${conversion.customerId}, ${conversion.partnerId}, ${t}, ${conversion.partnerId}, ${t}
        WHERE ${ours}
        ON CONFLICT (program_id, external_id) DO UPDATE SET
          first_partner_id = CASE WHEN excluded.first_at < first_at THEN excluded.first_partner_id ELSE first_partner_id END,
          first_at = min(first_at, excluded.first_at),
          last_partner_id = CASE WHEN excluded.last_at >= last_at THEN excluded.last_partner_id ELSE last_partner_id END,
          last_at = max(last_at, excluded.last_at)`),
    );
  }
  dependent.push(...statsDelta(db, statKeysOf(programNum, conversion), contribution(conversion, commission), ours));
  await db.batch([...statements, ...dependent]);
  const [row] = await db.select({ id: conversions.id }).from(conversions).where(eq(conversions.id, conversion.id));
  return row !== undefined;
}

/**
 * A postback takes over a pixel-sourced conversion: its amount, and a recomputed commission out
 * of hold. Everything after the guarded conversion update runs only if that update won.
 */
export async function supersedePixel(
  db: Db,
  programNum: number,
  conv: ConversionRow,
  amount: number,
  commission: { before: CommissionRow | null; after: Pick<CommissionRow, "amount" | "availableAt" | "ruleId" | "tierId"> | null },
  now: number,
): Promise<boolean> {
  const token = newToken();
  const won = sql`EXISTS (SELECT 1 FROM conversions WHERE id = ${conv.id} AND change_token = ${token})`;
  const statements = [
    db.run(sql`UPDATE conversions SET amount = ${amount}, source = 'postback', change_token = ${token} WHERE id = ${conv.id} AND source = 'pixel'`),
  ];
  let after: { amount: number; status: string } | null = commission.before;
  const before = commission.before;
  if (before && before.status === "hold" && commission.after) {
    const c = commission.after;
    statements.push(db.run(sql`UPDATE commissions SET amount = ${c.amount}, original_amount = ${c.amount}, available_at = ${c.availableAt},
      rule_id = ${c.ruleId}, tier_id = ${c.tierId}, status = 'pending', updated_at = ${now} WHERE id = ${before.id} AND status = 'hold' AND ${won}`));
    after = { amount: c.amount, status: "pending" };
  }
  const keys = statKeysOf(programNum, conv);
  statements.push(...statsDelta(db, keys, delta(contribution({ ...conv, amount }, after), contribution(conv, before)), won));
  const [first] = await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return first.rowsAffected === 1;
}

/**
 * Applies a refund atomically, if the conversion's `refunded` is still what the caller read
 * (optimistic concurrency). The follow-up writes run only if that update won: it stamps a fresh
 * change token, and they check for it, so no interactive transaction is needed.
 */
export async function applyRefund(
  db: Db,
  programNum: number,
  conv: ConversionRow,
  newRefunded: number,
  commission: { before: CommissionRow; amount: number; status: CommissionRow["status"] } | null,
  adjustment: { id: string; amount: number; partnerId: string } | null,
  now: number,
): Promise<boolean> {
  const token = newToken();
  const won = sql`EXISTS (SELECT 1 FROM conversions WHERE id = ${conv.id} AND change_token = ${token})`;
  const statements = [
    db.run(sql`UPDATE conversions SET refunded = ${newRefunded}, change_token = ${token} WHERE id = ${conv.id} AND refunded = ${conv.refunded}`),
  ];
  if (commission) {
    statements.push(db.run(sql`UPDATE commissions SET amount = ${commission.amount}, status = ${commission.status}, updated_at = ${now}
      WHERE id = ${commission.before.id} AND ${won}`));
  }
  if (commission && adjustment) {
    statements.push(db.run(sql`INSERT INTO adjustments (id, program_id, partner_id, commission_id, amount, currency, reason, payout_id, created_at)
      SELECT ${adjustment.id}, ${conv.programId}, ${adjustment.partnerId}, ${commission.before.id}, ${adjustment.amount}, ${conv.currency}, 'refund', NULL, ${now}
      WHERE ${won}`));
  }
  const before = contribution(conv, commission?.before ?? null);
  const after = contribution({ ...conv, refunded: newRefunded }, commission ? { amount: commission.amount, status: commission.status } : null);
  statements.push(...statsDelta(db, statKeysOf(programNum, conv), delta(after, before), won));
  const [first] = await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return first.rowsAffected === 1;
}

export async function findIdempotency(db: Db, programId: string, key: string) {
  const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.key, key)));
  return row ?? null;
}

/** Claims an idempotency key before the work; false when another request holds or used it. */
export async function claimIdempotency(db: Db, programId: string, key: string, requestHash: string, now: number): Promise<boolean> {
  const claimed = await db.insert(idempotencyKeys).values({ programId, key, requestHash, response: null, createdAt: now }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
  return claimed.length === 1;
}

export async function saveIdempotentResponse(db: Db, programId: string, key: string, response: string) {
  await db.update(idempotencyKeys).set({ response }).where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.key, key)));
}

/** Frees a claimed key when the work failed, so the client can retry with it. */
export async function releaseIdempotency(db: Db, programId: string, key: string) {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.key, key), isNull(idempotencyKeys.response)));
}

/** Conversions of a vendor (or one partner), newest first, with filters. */
export async function listConversions(
  db: Db,
  filter: { vendorId?: string; programId?: string; partnerId?: string; status?: "attributed" | "unattributed"; from?: number; to?: number },
  page: PageRequest,
) {
  const rows = await db
    .select({ c: conversions })
    .from(conversions)
    .innerJoin(programs, eq(programs.id, conversions.programId))
    .where(
      and(
        filter.vendorId ? eq(programs.vendorId, filter.vendorId) : undefined,
        filter.programId ? eq(conversions.programId, filter.programId) : undefined,
        filter.partnerId ? eq(conversions.partnerId, filter.partnerId) : undefined,
        filter.status ? eq(conversions.status, filter.status) : undefined,
        filter.from !== undefined ? gte(conversions.createdAt, filter.from) : undefined,
        filter.to !== undefined ? lt(conversions.createdAt, filter.to) : undefined,
        pageWhere(conversions.createdAt, conversions.id, page.cursor),
      ),
    )
    .orderBy(...pageOrder(conversions.createdAt, conversions.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => r.c), page.limit);
}

/** Commissions of several conversions in one query (lists would otherwise read one per row). */
export async function commissionsOf(db: Db, conversionIds: string[]): Promise<Map<string, CommissionRow>> {
  if (conversionIds.length === 0) return new Map();
  const rows = await db.select().from(commissions).where(inArray(commissions.conversionId, conversionIds));
  return new Map(rows.map((r) => [r.conversionId, r]));
}
