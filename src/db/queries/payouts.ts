import { and, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { adjustments, commissions, partners, payoutBatches, payouts } from "../schema";
import { newId, newToken } from "../../domain/ids";
import { exactInt, exactSum, toBigInt } from "./sums";
import { currencyExponent } from "../../domain/money";
import type { Actor } from "../../domain/audit";
import { eventInsert, eventRow } from "./events";

const PAID = { type: "payout.paid", action: "payout.pay", changes: sql`json_object('status', json_array('pending', 'paid'))` };

/** The audit and outbox side of a payout write: who did it and under which program. */
export interface PayoutEvent {
  vendorId: string;
  actor: Actor;
}

/** SQL for a payout's amount as the API shows it ("12.50"), from its minor units and currency. */
function moneySql(currency: string) {
  const exp = currencyExponent(currency) ?? 2;
  if (exp === 0) return sql`CAST(p.amount AS TEXT)`;
  const scale = 10 ** exp;
  return sql.raw(`printf('%s%d.%0${exp}d', CASE WHEN p.amount < 0 THEN '-' ELSE '' END, abs(p.amount) / ${scale}, abs(p.amount) % ${scale})`);
}

const isoSql = (col: string) => sql.raw(`strftime('%Y-%m-%dT%H:%M:%fZ', ${col} / 1000.0, 'unixepoch')`);

/**
 * One event per payout the WHERE selects (set-based, like the payouts themselves: their ids are
 * only known in SQL), with the payout as the API shows it as data. For the batch's own writes.
 */
function payoutEvents(db: Db, e: PayoutEvent, kind: { type: string; action: string; changes: SQL }, currency: string, now: number, where: SQL) {
  const a = eventRow({ vendorId: e.vendorId, programId: null, actor: e.actor, object: { type: "payout", id: "" } }, now);
  return db.run(sql`INSERT INTO events (id, vendor_id, program_id, type, action, actor_kind, actor_key_id, actor_partner_id, object_type, object_id, changes, data, created_at)
    SELECT 'evt_' || lower(hex(randomblob(8))), ${e.vendorId}, p.program_id, ${kind.type}, ${kind.action}, ${a.actorKind}, ${a.actorKeyId}, ${a.actorPartnerId}, 'payout', p.id,
      ${kind.changes},
      json_object('id', p.id, 'batchId', p.batch_id, 'partnerId', p.partner_id, 'amount', ${moneySql(currency)}, 'currency', p.currency,
        'commissionCount', p.commission_count, 'status', p.status, 'paidAt', CASE WHEN p.paid_at IS NULL THEN NULL ELSE ${isoSql("p.paid_at")} END, 'createdAt', ${isoSql("p.created_at")}),
      ${now}
    FROM payouts p WHERE ${where}`);
}
import { acceptedCurrent } from "./agreements";

/** A payout; its amount is a sum of commissions, so bigint (it may pass 2^53). */
export type PayoutRow = Omit<typeof payouts.$inferSelect, "amount"> & { amount: bigint };

/** The columns of a payout, the amount read exactly. */
export const payoutSelection = { ...getTableColumns(payouts), amount: exactInt(payouts.amount) };

/** Per partner: approved commissions not yet in a payout plus unsettled adjustments (`n` counts the commissions). */
/** A partner who has not accepted the program's current agreement is left out: their money waits (CONTRACT-PRM §1). */
const dueSql = (programId: string) => sql`
    SELECT partner_id, sum(amount) AS amount, sum(n) AS n FROM (
      SELECT partner_id, amount, 1 AS n FROM commissions WHERE program_id = ${programId} AND status = 'approved' AND payout_id IS NULL
      UNION ALL
      SELECT partner_id, amount, 0 AS n FROM adjustments WHERE program_id = ${programId} AND payout_id IS NULL
    ) AS due WHERE ${acceptedCurrent(programId, sql.raw("due.partner_id"))} GROUP BY partner_id`;

/**
 * Creates a payout batch in one write transaction: a payout per partner whose approved
 * commissions not yet in a payout, plus its unsettled adjustments, reach `minPayout` (and are
 * positive); then claims those commissions and adjustments for it. Two batches created at once
 * serialize on the write lock, so the second finds nothing left to claim. When no partner
 * reaches the minimum, no batch row is written at all (`batchId` null).
 * `belowMinimum` is what stays unclaimed afterwards, per partner (exact sums).
 */
export async function createPayoutBatch(db: Db, program: { id: string; currency: string; minPayout: number }, now: number, event: PayoutEvent | null = null) {
  const batchId = newId("bat");
  const due = sql`(${dueSql(program.id)} HAVING sum(amount) >= ${program.minPayout} AND sum(amount) > 0)`;
  const inBatch = sql`(SELECT p.id FROM payouts p WHERE p.batch_id = ${batchId} AND p.partner_id = t.partner_id)`;
  const [batchInsert] = await db.batch([
    db.run(sql`INSERT INTO payout_batches (id, program_id, currency, created_at)
      SELECT ${batchId}, ${program.id}, ${program.currency}, ${now} WHERE EXISTS (SELECT 1 FROM ${due})`),
    db.run(sql`INSERT INTO payouts (id, batch_id, program_id, partner_id, amount, currency, commission_count, status, paid_at, created_at)
      SELECT 'pay_' || lower(hex(randomblob(8))), ${batchId}, ${program.id}, partner_id, amount, ${program.currency}, n, 'pending', NULL, ${now}
      FROM ${due} WHERE true`),
    ...(event ? [payoutEvents(db, event, { type: "payout.created", action: "payout.create", changes: sql`json_object('status', json_array(NULL, 'pending'), 'amount', json_array(NULL, ${moneySql(program.currency)}))` }, program.currency, now, sql`p.batch_id = ${batchId}`)] : []),
    db.run(sql`UPDATE commissions AS t SET payout_id = ${inBatch}
      WHERE t.program_id = ${program.id} AND t.status = 'approved' AND t.payout_id IS NULL AND ${inBatch} IS NOT NULL`),
    db.run(sql`UPDATE adjustments AS t SET payout_id = ${inBatch}
      WHERE t.program_id = ${program.id} AND t.payout_id IS NULL AND ${inBatch} IS NOT NULL`),
  ]);
  const belowMinimum = (await db.all<{ partnerId: string; amount: string }>(sql`
    SELECT partner_id AS partnerId, CAST(sum(amount) AS TEXT) AS amount FROM (${dueSql(program.id)}) GROUP BY partner_id ORDER BY partner_id`))
    .map((r) => ({ partnerId: r.partnerId, amount: toBigInt(r.amount) }));
  if (batchInsert!.rowsAffected === 0) return { batchId: null, payouts: [], belowMinimum };
  return { batchId, payouts: await db.select(payoutSelection).from(payouts).where(eq(payouts.batchId, batchId)), belowMinimum };
}

export async function getPayout(db: Db, id: string) {
  const [row] = await db.select(payoutSelection).from(payouts).where(eq(payouts.id, id));
  return row ?? null;
}

export async function payoutLines(db: Db, payoutId: string) {
  const commissionLines = await db
    .select({ id: commissions.id, conversionId: commissions.conversionId, amount: commissions.amount, status: commissions.status, createdAt: commissions.createdAt })
    .from(commissions)
    .where(eq(commissions.payoutId, payoutId));
  const adjustmentLines = await db
    .select({ id: adjustments.id, commissionId: adjustments.commissionId, amount: adjustments.amount, reason: adjustments.reason, createdAt: adjustments.createdAt })
    .from(adjustments)
    .where(eq(adjustments.payoutId, payoutId));
  return { commissionLines, adjustmentLines };
}

/** Payouts of a batch with the partner's name and email, for bulk-payment CSVs. */
export async function batchPayouts(db: Db, batchId: string) {
  return db
    .select({ payout: payoutSelection, name: partners.name, email: partners.email })
    .from(payouts)
    .innerJoin(partners, eq(partners.id, payouts.partnerId))
    .where(eq(payouts.batchId, batchId));
}

export async function getBatch(db: Db, id: string) {
  const [row] = await db.select().from(payoutBatches).where(eq(payoutBatches.id, id));
  return row ?? null;
}

/** Marks a pending payout and its commissions paid; false when it was already paid. */
export async function markPayoutPaid(db: Db, payoutId: string, now: number, event: (PayoutEvent & { currency: string }) | null = null): Promise<boolean> {
  const token = newToken();
  const [first] = await db.batch([
    db.run(sql`UPDATE payouts SET status = 'paid', paid_at = ${now}, change_token = ${token} WHERE id = ${payoutId} AND status = 'pending'`),
    ...(event ? [payoutEvents(db, event, PAID, event.currency, now, sql`p.id = ${payoutId} AND p.change_token = ${token}`)] : []),
    db.run(sql`UPDATE commissions SET status = 'paid', updated_at = ${now}
      WHERE payout_id = ${payoutId} AND status = 'approved'
        AND EXISTS (SELECT 1 FROM payouts WHERE id = ${payoutId} AND change_token = ${token})`),
  ]);
  return first.rowsAffected === 1;
}

/**
 * Marks every pending payout of a batch and their commissions paid, in one batch; payouts paid
 * already are skipped. Returns how many payouts this call marked (0: nothing was pending).
 */
export async function markBatchPaid(db: Db, batchId: string, now: number, event: (PayoutEvent & { currency: string; programId: string }) | null = null): Promise<number> {
  const token = newToken();
  const [first] = await db.batch([
    db.run(sql`UPDATE payouts SET status = 'paid', paid_at = ${now}, change_token = ${token} WHERE batch_id = ${batchId} AND status = 'pending'`),
    ...(event ? [
      payoutEvents(db, event, PAID, event.currency, now, sql`p.batch_id = ${batchId} AND p.change_token = ${token}`),
      // and the decision itself, once, on the batch (only when it marked something)
      eventInsert(db, { vendorId: event.vendorId, programId: event.programId, action: "payout_batch.paid", actor: event.actor, object: { type: "payout_batch", id: batchId }, changes: { status: ["pending", "paid"] } }, now,
        sql`EXISTS (SELECT 1 FROM payouts WHERE batch_id = ${batchId} AND change_token = ${token})`),
    ] : []),
    db.run(sql`UPDATE commissions SET status = 'paid', updated_at = ${now}
      WHERE status = 'approved' AND payout_id IN (SELECT id FROM payouts WHERE batch_id = ${batchId} AND change_token = ${token})`),
  ]);
  return first.rowsAffected;
}

/** What a partner's paid payouts paid out, in minor units (exact). */
export async function paidOut(db: Db, partnerId: string): Promise<bigint> {
  const [row] = await db
    .select({ total: exactSum(payouts.amount) })
    .from(payouts)
    .where(and(eq(payouts.partnerId, partnerId), eq(payouts.status, "paid")));
  return row?.total ?? 0n;
}

export async function listPartnerPayouts(db: Db, partnerId: string) {
  return db.select(payoutSelection).from(payouts).where(eq(payouts.partnerId, partnerId)).orderBy(sql`created_at DESC`).limit(100);
}
