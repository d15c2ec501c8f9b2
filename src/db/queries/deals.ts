import { eventInsert, PREVIOUS_CHANGED, writeWithEvent, type EventInput } from "./events";
import { and, eq, gt, gte, inArray, lte, ne, or, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import { conversions, deals, programs } from "../schema";
import { CUSTOMER_MEMORY_MS, type DealStatus } from "../../domain/deals";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";

export type DealRow = typeof deals.$inferSelect;

/** Open: submitted, or approved and still protected (the rule of src/domain/deals.ts isOpenDeal, in SQL). */
const openAt = (now: number): SQL => or(eq(deals.status, "submitted"), and(eq(deals.status, "approved"), gt(deals.protectedUntil, now)))!;

const staleWhere = (programId: string, account: string, now: number) =>
  and(eq(deals.programId, programId), eq(deals.account, account), eq(deals.status, "approved"), lte(deals.protectedUntil, now));

/** Approved deals of an account whose protection has passed: the next write that takes the account expires them. */
export async function staleDeals(db: Db, programId: string, account: string, now: number): Promise<DealRow[]> {
  return db.select().from(deals).where(staleWhere(programId, account, now));
}

/**
 * Approved deals of an account whose protection has passed are expired before anything takes
 * the account: they no longer hold it, and the one-holder index must not count them. `events`
 * (their deal.updated, from `staleDeals` read before) come first, each only while its deal is
 * still stale: a settle that expired it meanwhile wrote its event already. `when` guards the
 * whole step (a conversion that lost its race expires nothing).
 */
export function expireStale(db: Db, programId: string, account: string, now: number, events: EventInput[] = [], when?: SQL) {
  const stillStale = (id: string) => sql`EXISTS (SELECT 1 FROM deals d WHERE d.id = ${id} AND d.status = 'approved' AND d.protected_until <= ${now})`;
  return [
    ...events.map((e) => eventInsert(db, e, now, when ? sql`${when} AND ${stillStale(e.object.id)}` : stillStale(e.object.id))),
    db.update(deals).set({ status: "expired", updatedAt: now }).where(and(staleWhere(programId, account, now), when)),
  ];
}

/** What the conflict rule needs to know about an account in a program. */
export async function registrationFacts(db: Db, programId: string, account: string, now: number) {
  const [open, won, customer] = await db.batch([
    db.select({ id: deals.id, partnerId: deals.partnerId }).from(deals).where(and(eq(deals.programId, programId), eq(deals.account, account), openAt(now))),
    db.select({ id: deals.id }).from(deals)
      .where(and(eq(deals.programId, programId), eq(deals.account, account), eq(deals.status, "won"), gte(deals.closedAt, now - CUSTOMER_MEMORY_MS)))
      .orderBy(sql`${deals.closedAt} DESC`).limit(1),
    db.select({ id: conversions.id }).from(conversions)
      .where(and(eq(conversions.programId, programId), eq(conversions.customerId, account), eq(conversions.status, "attributed"))).limit(1),
  ]);
  return { openDeals: open, wonDealId: won[0]?.id ?? null, customerConversion: customer.length > 0 };
}

/**
 * Stores a new deal in one transaction. A `submitted` or `approved` deal of an account another
 * open deal already holds fails with a unique violation on `deals.program_id, deals.account`
 * (a concurrent registration won): the caller decides again.
 */
export async function insertDeal(db: Db, row: DealRow, event: EventInput | null = null, expiring: EventInput[] = []): Promise<DealRow> {
  const statements: BatchItem<"sqlite">[] = [
    ...expireStale(db, row.programId, row.account, row.createdAt, expiring),
    db.insert(deals).values(row),
    ...(event ? [eventInsert(db, event, row.createdAt)] : []),
  ];
  await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return row;
}

export async function getDeal(db: Db, id: string): Promise<DealRow | null> {
  const [row] = await db.select().from(deals).where(eq(deals.id, id));
  return row ?? null;
}

/** A deal of one of the vendor's programs, with its program. */
export async function getVendorDeal(db: Db, vendorId: string, id: string) {
  const [row] = await db.select({ deal: deals, program: programs }).from(deals).innerJoin(programs, eq(programs.id, deals.programId))
    .where(and(eq(deals.id, id), eq(programs.vendorId, vendorId)));
  return row ?? null;
}

export async function getPartnerDeal(db: Db, partnerId: string, id: string): Promise<DealRow | null> {
  const [row] = await db.select().from(deals).where(and(eq(deals.id, id), eq(deals.partnerId, partnerId)));
  return row ?? null;
}

export async function dealsByIds(db: Db, ids: string[]): Promise<DealRow[]> {
  return ids.length === 0 ? [] : db.select().from(deals).where(inArray(deals.id, ids));
}

export async function listProgramDeals(db: Db, programId: string, filter: { status?: DealStatus; partnerId?: string }, page: PageRequest) {
  const rows = await db.select().from(deals)
    .where(and(
      eq(deals.programId, programId),
      filter.status ? eq(deals.status, filter.status) : undefined,
      filter.partnerId ? eq(deals.partnerId, filter.partnerId) : undefined,
      pageWhere(deals.createdAt, deals.id, page.cursor),
    ))
    .orderBy(...pageOrder(deals.createdAt, deals.id)).limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function listPartnerDeals(db: Db, partnerId: string, filter: { status?: DealStatus }, page: PageRequest) {
  const rows = await db.select().from(deals)
    .where(and(eq(deals.partnerId, partnerId), filter.status ? eq(deals.status, filter.status) : undefined, pageWhere(deals.createdAt, deals.id, page.cursor)))
    .orderBy(...pageOrder(deals.createdAt, deals.id)).limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/**
 * Approves a deal in one transaction, only while it is `submitted` or `conflict`: the other open
 * deal of its account (if any) is closed as `rejected`/`conflict_lost` first, so the one-holder
 * index holds. Null when the deal was no longer approvable (a concurrent approval won).
 */
export async function approveDealRow(
  db: Db, deal: DealRow, protectedUntil: number, now: number, event: EventInput | null = null,
  /** deal.updated of the open deals this approval closes (read before), each written only if it closed that deal */
  loserEvents: EventInput[] = [],
  /** deal.updated of the account's deals whose protection passed (`staleDeals`), which this expires */
  expiring: EventInput[] = [],
): Promise<{ deal: DealRow; closed: string[] } | null> {
  const approvable = sql`EXISTS (SELECT 1 FROM deals d WHERE d.id = ${deal.id} AND d.status IN ('submitted', 'conflict'))`;
  const lost = (id: string) => sql`${approvable} AND EXISTS (SELECT 1 FROM deals d WHERE d.id = ${id} AND d.status = 'rejected' AND d.reason = 'conflict_lost' AND d.updated_at = ${now})`;
  const expiry = expireStale(db, deal.programId, deal.account, now, expiring);
  const statements: BatchItem<"sqlite">[] = [
    ...expiry,
    db.update(deals).set({ status: "rejected", reason: "conflict_lost", closedAt: now, updatedAt: now })
      .where(and(eq(deals.programId, deal.programId), eq(deals.account, deal.account), ne(deals.id, deal.id), openAt(now), approvable))
      .returning({ id: deals.id }),
    // (before the approval below: while the deal is still approvable, so a losing twin writes none)
    ...loserEvents.map((e) => eventInsert(db, e, now, lost(e.object.id))),
    db.update(deals).set({ status: "approved", protectedUntil, updatedAt: now })
      .where(and(eq(deals.id, deal.id), inArray(deals.status, ["submitted", "conflict"])))
      .returning(),
    ...(event ? [eventInsert(db, event, now, PREVIOUS_CHANGED)] : []),
  ];
  const [closed, ...rest] = (await db.batch(statements as [(typeof statements)[0], ...typeof statements])).slice(expiry.length);
  const approved = rest[loserEvents.length] as DealRow[];
  return approved[0] ? { deal: approved[0], closed: (closed as { id: string }[]).map((r) => r.id) } : null;
}

/** The open deals of an account in a program but one (those an approval would close). */
export async function otherOpenDeals(db: Db, deal: DealRow, now: number): Promise<DealRow[]> {
  return db.select().from(deals).where(and(eq(deals.programId, deal.programId), eq(deals.account, deal.account), ne(deals.id, deal.id), openAt(now)));
}

/** Moves a deal from one of `from` to `to` (with the given fields); null when it was in no such status. */
export async function transitionDeal(
  db: Db, id: string, from: readonly DealStatus[], set: Partial<DealRow> & { status: DealStatus; updatedAt: number }, event: EventInput | null = null,
): Promise<DealRow | null> {
  const [row] = await writeWithEvent(db, db.update(deals).set(set).where(and(eq(deals.id, id), inArray(deals.status, [...from]))).returning(), event, set.updatedAt);
  return row ?? null;
}

/**
 * Settle: approved deals whose protection has passed become `expired`, each with its event
 * (`deal.updated`) in the batch, right after its own update and only if that update changed it:
 * two runs at once expire each deal, and write its event, once. Idempotent; batches of 200.
 */
export async function expireDeals(db: Db, programId: string, now: number, eventOf: ((after: DealRow) => EventInput) | null = null): Promise<number> {
  let expired = 0;
  for (;;) {
    const due = await db.select().from(deals).where(and(eq(deals.programId, programId), eq(deals.status, "approved"), lte(deals.protectedUntil, now))).limit(200);
    if (due.length === 0) return expired;
    const statements = due.flatMap((d) => [
      db.update(deals).set({ status: "expired", updatedAt: now }).where(and(eq(deals.id, d.id), eq(deals.status, "approved"), lte(deals.protectedUntil, now))),
      ...(eventOf ? [eventInsert(db, eventOf({ ...d, status: "expired", updatedAt: now }), now, PREVIOUS_CHANGED)] : []),
    ]);
    const results = await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    const step = eventOf ? 2 : 1;
    let changed = 0;
    for (let i = 0; i < results.length; i += step) changed += (results[i] as { rowsAffected: number }).rowsAffected;
    expired += changed;
    if (changed === 0 || due.length < 200) return expired;
  }
}

/** Deals registered in [from, to): status, value and won amount, closing time (the pipeline's input). */
export async function pipelineDeals(db: Db, programId: string, from: number, to: number) {
  return db.select({ status: deals.status, value: deals.value, wonAmount: deals.wonAmount, createdAt: deals.createdAt, closedAt: deals.closedAt })
    .from(deals).where(and(eq(deals.programId, programId), gte(deals.createdAt, from), sql`${deals.createdAt} < ${to}`));
}

/** Deals closed won or lost in [from, to) (win rate, days to close). */
export async function closedDeals(db: Db, programId: string, from: number, to: number) {
  return db.select({ status: deals.status, wonAmount: deals.wonAmount, createdAt: deals.createdAt, closedAt: deals.closedAt })
    .from(deals).where(and(eq(deals.programId, programId), inArray(deals.status, ["won", "lost"]), gte(deals.closedAt, from), sql`${deals.closedAt} < ${to}`));
}
