import type { BatchItem } from "drizzle-orm/batch";
import { insertWhere } from "./guarded";
import { and, eq, getTableColumns, inArray, is, sql, SQL, type SQLWrapper } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../client";
import { apiKeys, applications, partners, programs, signInLinks, type ApplicationStatus } from "../schema";
import { newId } from "../../domain/ids";
import { newKeyRow } from "./keys";
import { nextNum } from "./programs";
import { emailKeyOf, getPartner, type PartnerRow } from "./partners";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { tablesChanged } from "../changes";

export type ApplicationRow = typeof applications.$inferSelect;


export interface NewApplication {
  programId: string; name: string; email: string; website: string | null; country: string | null;
  answers: Record<string, string>; source: string | null; referredBy: string | null;
}

/** Whether the program already has an application or a partner with this email (any case). */
export async function emailKnown(db: Db, programId: string, email: string): Promise<boolean> {
  const key = emailKeyOf(email);
  const rows = await db.all<{ n: number }>(sql`SELECT (SELECT count(*) FROM applications WHERE program_id = ${programId} AND email_key = ${key})
    + (SELECT count(*) FROM partners WHERE program_id = ${programId} AND email_key = ${key}) AS n`);
  return Number(rows[0]?.n ?? 0) > 0;
}

export interface ApprovalWrite {
  tierId: string;
  vendorId: string;
  /** a one-time sign-in link for the new partner: its hash and expiry */
  signIn: { hash: string; expiresAt: number } | null;
}

/**
 * Approves a pending application in one transaction: marks it approved, creates its partner
 * (entry tier, with source and referrer, and a partner key) and, when asked, a sign-in link.
 * Null when the application was no longer pending (decided meanwhile: nothing is written).
 * A partner of the program with the same email fails on `partners.email_key`.
 */
export async function approveApplicationRow(
  db: Db, app: ApplicationRow, w: ApprovalWrite, now: number,
  opts: { insert?: boolean; also?: (partnerId: string, claimed: SQL) => BatchItem<"sqlite">[] } = {},
): Promise<{ application: ApplicationRow; partner: PartnerRow } | null> {
  const partnerId = newId("ptn");
  const claimed = sql`EXISTS (SELECT 1 FROM applications WHERE id = ${app.id} AND partner_id = ${partnerId})`;
  const key = newKeyRow("partner", { vendorId: w.vendorId, programId: app.programId, partnerId }, now);
  const statements = [
    // auto-approval: the application is stored and approved in the same transaction
    opts.insert ? db.insert(applications).values(app) : db.run(sql`SELECT 1`),
    db.update(applications).set({ status: "approved", decidedAt: now, partnerId }).where(and(eq(applications.id, app.id), eq(applications.status, "pending"))),
    insertWhere(db, partners, {
      id: partnerId, num: nextNum("partners"), programId: app.programId, name: app.name, email: app.email, status: "approved", tierId: w.tierId,
      coupon: null, couponKey: null, emailKey: emailKeyOf(app.email), source: app.source, referredBy: app.referredBy, createdAt: now,
    }, claimed),
    insertWhere(db, apiKeys, key.row, claimed),
  ] as const;
  const withLink = w.signIn
    ? [...statements, insertWhere(db, signInLinks, { hash: w.signIn.hash, vendorId: w.vendorId, programId: app.programId, partnerId, createdAt: now, expiresAt: w.signIn.expiresAt }, claimed)] as const
    : statements;
  await db.batch([...withLink, ...(opts.also?.(partnerId, claimed) ?? [])] as unknown as Parameters<Db["batch"]>[0]);
  tablesChanged();
  const partner = await getPartner(db, partnerId);
  if (!partner) return null;
  return { application: (await getApplication(db, app.id))!, partner };
}

/** A new pending application row (not stored). */
export const newApplicationRow = (input: NewApplication, now: number): ApplicationRow =>
  ({ ...input, id: newId("apl"), emailKey: emailKeyOf(input.email), status: "pending", reason: null, partnerId: null, createdAt: now, decidedAt: null });

/** Stores a new application (pending). Fails on `applications.email_key` for a second one with the email. */
export async function insertApplication(db: Db, row: ApplicationRow, also: BatchItem<"sqlite">[] = []): Promise<ApplicationRow> {
  await db.batch([db.insert(applications).values(row), ...also]);
  return row;
}

/** Rejects a pending application; null when it was decided already. */
export async function rejectApplicationRow(db: Db, id: string, reason: string | null, now: number, also: BatchItem<"sqlite">[] = []): Promise<ApplicationRow | null> {
  const [rows] = await db.batch([
    db.update(applications).set({ status: "rejected", reason, decidedAt: now }).where(and(eq(applications.id, id), eq(applications.status, "pending"))).returning(),
    ...also,
  ]);
  return rows[0] ?? null;
}

export async function getApplication(db: Db, id: string): Promise<ApplicationRow | null> {
  const [row] = await db.select().from(applications).where(eq(applications.id, id));
  return row ?? null;
}

/** An application of one of the vendor's programs (with the program), or null. */
export async function getVendorApplication(db: Db, vendorId: string, id: string) {
  const [row] = await db.select({ application: applications, program: programs }).from(applications)
    .innerJoin(programs, eq(programs.id, applications.programId)).where(and(eq(applications.id, id), eq(programs.vendorId, vendorId)));
  return row ?? null;
}

export async function listApplications(db: Db, programId: string, filter: { status?: ApplicationStatus | undefined }, page: PageRequest) {
  const rows = await db.select().from(applications)
    .where(and(eq(applications.programId, programId), filter.status ? eq(applications.status, filter.status) : undefined, pageWhere(applications.createdAt, applications.id, page.cursor)))
    .orderBy(...pageOrder(applications.createdAt, applications.id)).limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** Applications of a program by id (bulk actions of the dashboard). */
export async function applicationsByIds(db: Db, programId: string, ids: string[]): Promise<ApplicationRow[]> {
  if (ids.length === 0) return [];
  return db.select().from(applications).where(and(eq(applications.programId, programId), inArray(applications.id, ids)));
}

/** How many applications of a program are in each status. */
export async function applicationCounts(db: Db, programId: string): Promise<Record<ApplicationStatus, number>> {
  const rows = await db.select({ status: applications.status, n: sql<number>`count(*)` }).from(applications).where(eq(applications.programId, programId)).groupBy(applications.status);
  const out = { pending: 0, approved: 0, rejected: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
