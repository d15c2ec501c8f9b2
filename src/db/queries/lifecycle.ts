import { and, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../client";
import { commissions, conversions, programs } from "../schema";
import { ACTION_FROM, ACTION_TO, type ManagerAction } from "../../domain/lifecycle";
import { contribution, delta } from "../../domain/reporting";
import { newToken } from "../../domain/ids";
import { customerUpsert, vouchedFor } from "./conversions";
import { statKeysOf, statsDelta } from "./stats";
import { eventInsert, type EventInput } from "./events";

export type CommissionRow = typeof commissions.$inferSelect;

/** Commissions of the vendor by id (others are simply absent: 404 for the caller). */
export async function vendorCommissions(db: Db, vendorId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .select({ c: commissions, programNum: programs.num, conv: conversions })
    .from(commissions)
    .innerJoin(programs, eq(programs.id, commissions.programId))
    .innerJoin(conversions, eq(conversions.id, commissions.conversionId))
    .where(and(eq(programs.vendorId, vendorId), inArray(commissions.id, ids)));
}

/** A partner's commissions a manager could still reject (hold, pending), shaped for applyAction. */
export async function partnerOpenCommissions(db: Db, partnerId: string) {
  return db
    .select({ c: commissions, programNum: programs.num, conv: conversions })
    .from(commissions)
    .innerJoin(programs, eq(programs.id, commissions.programId))
    .innerJoin(conversions, eq(conversions.id, commissions.conversionId))
    .where(and(eq(commissions.partnerId, partnerId), inArray(commissions.status, ["hold", "pending"])));
}

/**
 * Applies a manager action to commissions in one atomic batch. Each update is guarded by the
 * allowed source statuses and stamps a token; the report delta for it runs only if it won.
 * Returns the ids that changed.
 */
export async function applyAction(
  db: Db,
  rows: Awaited<ReturnType<typeof vendorCommissions>>,
  action: ManagerAction,
  now: number,
  /** the event of each change, written only when that change won (same batch) */
  event: ((row: CommissionRow, to: CommissionRow["status"]) => EventInput) | null = null,
): Promise<string[]> {
  const to = ACTION_TO[action];
  const statements = [];
  const tokens = new Map<string, string>();
  for (const { c, programNum, conv } of rows) {
    const token = newToken();
    tokens.set(c.id, token);
    statements.push(db.run(sql`UPDATE commissions SET status = ${to}, change_token = ${token}, updated_at = ${now}
      WHERE id = ${c.id} AND status IN (${sql.join(ACTION_FROM[action].map((s) => sql`${s}`), sql`, `)})`));
    const won = sql`EXISTS (SELECT 1 FROM commissions WHERE id = ${c.id} AND change_token = ${token})`;
    const d = delta(contribution(conv, { amount: c.amount, status: to }), contribution(conv, c));
    statements.push(...statsDelta(db, statKeysOf(programNum, conv), d, won));
    if (event) statements.push(eventInsert(db, event(c, to), now, won));
    // A manager approving a pixel's commission vouches for its customer (the pixel alone may not).
    if (conv.customerId && conv.partnerId && !vouchedFor(conv, c) && vouchedFor(conv, { status: to })) statements.push(customerUpsert(db, conv, won));
  }
  if (statements.length === 0) return [];
  await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  const changed = await db.select({ id: commissions.id, token: commissions.changeToken }).from(commissions).where(inArray(commissions.id, [...tokens.keys()]));
  return changed.filter((r) => r.token === tokens.get(r.id)).map((r) => r.id);
}

/**
 * Settle, step 1: pending commissions whose hold has passed become approved (set-based). With
 * `event`, each approval also writes its outbox row (`commission.updated`) in the batch of the
 * update, only for a commission this run approved.
 */
export async function approveDue(db: Db, programId: string, now: number, event?: (approved: CommissionRow) => EventInput): Promise<number> {
  const due = and(eq(commissions.programId, programId), eq(commissions.status, "pending"), lte(commissions.availableAt, now));
  if (!event) return (await db.update(commissions).set({ status: "approved", updatedAt: now }).where(due)).rowsAffected;
  const rows = await db.select().from(commissions).where(due);
  let approved = 0;
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const [result] = await db.batch([
      db.update(commissions).set({ status: "approved", updatedAt: now }).where(and(due, inArray(commissions.id, chunk.map((c) => c.id)))),
      ...chunk.map((c) => eventInsert(db, event({ ...c, status: "approved", updatedAt: now }), now,
        sql`EXISTS (SELECT 1 FROM commissions WHERE id = ${c.id} AND status = 'approved' AND updated_at = ${now})`)),
    ]);
    approved += result.rowsAffected;
  }
  return approved;
}
