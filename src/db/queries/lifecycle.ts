import { and, eq, inArray, lte, sql, type SQL } from "drizzle-orm";
import { clientOf, type Db } from "../client";
import { commissions, conversions, partners, programs } from "../schema";
import { ACTION_FROM, ACTION_TO, type ManagerAction } from "../../domain/lifecycle";
import { contribution, delta } from "../../domain/reporting";
import { newToken, timeOrderedIdPrefix } from "../../domain/ids";
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

/** Commissions a manager could still reject (hold, pending) among `where`, shaped for applyAction. */
function openCommissions(db: Db, where: SQL | undefined) {
  return db
    .select({ c: commissions, programNum: programs.num, conv: conversions })
    .from(commissions)
    .innerJoin(programs, eq(programs.id, commissions.programId))
    .innerJoin(conversions, eq(conversions.id, commissions.conversionId))
    .where(and(inArray(commissions.status, ["hold", "pending"]), where));
}

/** A partner's open commissions (what banning rejects). */
export const partnerOpenCommissions = (db: Db, partnerId: string) => openCommissions(db, eq(commissions.partnerId, partnerId));

/**
 * The open commissions of a program's banned partners: banning rejects them in a second step
 * after the status is stored, and a process that died between the two left them open (settle
 * would have approved them). Found by partner (a few banned ones), not by status (every
 * pending commission of the program).
 */
export const bannedPartnersOpenCommissions = (db: Db, programId: string) =>
  openCommissions(db, inArray(commissions.partnerId, db.select({ id: partners.id }).from(partners).where(and(eq(partners.programId, programId), eq(partners.status, "banned")))));

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

/** commissions approved per transaction by settle (one write lock held briefly, many times) */
const APPROVE_CHUNK = 5000;

/**
 * Settle, step 1: pending commissions whose hold has passed become approved, set-based, a chunk
 * per transaction. With `vendorId`, each approval also writes its outbox row
 * (`commission.updated`, status pending → approved) in the transaction of the update, bare: the
 * webhook fan-out fills in the commission as the API shows it (src/db/queries/webhooks.ts), as it
 * does for new conversions; building a million objects here cost minutes (bench prm).
 * Each chunk is two statements: the events of up to APPROVE_CHUNK due commissions, then the
 * update of exactly the commissions those events name (the rows the insert just added: SQLite
 * numbers one statement's rows consecutively, up to `last_insert_rowid()`). A concurrent settle
 * waits for the write lock and then finds them approved. Event ids are the time and the
 * commission's rowid (a commission is approved once): in order, so a million of them append to
 * the primary key instead of landing at random (3× faster).
 */
export async function approveDue(db: Db, programId: string, now: number, vendorId?: string, chunk = APPROVE_CHUNK): Promise<number> {
  const due = and(eq(commissions.programId, programId), eq(commissions.status, "pending"), lte(commissions.availableAt, now));
  if (vendorId === undefined) return (await db.update(commissions).set({ status: "approved", updatedAt: now }).where(due)).rowsAffected;
  const client = clientOf(db);
  let approved = 0;
  const prefix = timeOrderedIdPrefix("evt", now);
  for (;;) {
    const [inserted, updated] = await client.batch([
      {
        sql: `INSERT INTO events (id, vendor_id, program_id, type, action, actor_kind, object_type, object_id, changes, data, created_at)
          SELECT ? || printf('%010d', rowid), ?, program_id, 'commission.updated', NULL, 'system', 'commission', id, ?, NULL, ?
          FROM commissions WHERE program_id = ? AND status = 'pending' AND available_at <= ? LIMIT ${Math.floor(chunk)}`,
        args: [prefix, vendorId, JSON.stringify({ status: ["pending", "approved"] }), now, programId, now],
      },
      {
        // by rowid, read back from the event id: one b-tree search per commission less than by id
        sql: `UPDATE commissions SET status = 'approved', updated_at = ?
          WHERE rowid IN (SELECT CAST(substr(id, ?) AS INTEGER) FROM events WHERE rowid > last_insert_rowid() - changes() AND rowid <= last_insert_rowid())
            AND status = 'pending' AND available_at <= ?`,
        args: [now, prefix.length + 1, now],
      },
    ], "write");
    if (inserted!.rowsAffected !== updated!.rowsAffected) throw new Error(`settle: ${inserted!.rowsAffected} approval events but ${updated!.rowsAffected} approvals`);
    approved += updated!.rowsAffected;
    if (inserted!.rowsAffected < chunk) return approved;
  }
}
