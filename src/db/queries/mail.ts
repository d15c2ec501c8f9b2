import { and, eq, isNull, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { insertWhere } from "./guarded";
import type { Db } from "../client";
import { mails, type MailStatus } from "../schema";
import { newId } from "../../domain/ids";
import type { MailContent } from "../../domain/mail";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";

export type MailRow = typeof mails.$inferSelect;

export interface NewMail extends MailContent {
  vendorId: string;
  programId: string | null;
  to: string;
  dedupeKey: string;
}

/**
 * The statement that queues a mail, to run in the batch of the change it tells of. A mail with
 * the same dedupe key already queued or sent makes it a no-op (a retried request mails once).
 */
export function queueMailStatement(db: Db, mail: NewMail, now: number) {
  return db.insert(mails).values(mailRow(mail, now)).onConflictDoNothing({ target: mails.dedupeKey });
}

/** The same, written only when `guard` holds (the batch's claim won; see insertWhere). */
export const queueMailWhere = (db: Db, mail: NewMail, now: number, guard: SQL) => insertWhere(db, mails, mailRow(mail, now), guard);

function mailRow(mail: NewMail, now: number): MailRow {
  return {
    id: newId("mail"), vendorId: mail.vendorId, programId: mail.programId, kind: mail.kind, to: mail.to,
    subject: mail.subject, body: mail.body, link: mail.link ?? null, dedupeKey: mail.dedupeKey,
    status: "queued", attempts: 0, nextAttemptAt: now, claimedUntil: null, lastError: null, sentAt: null, createdAt: now,
  };
}

/** Queues a mail on its own (when the change it tells of is already written). */
export async function queueMail(db: Db, mail: NewMail, now: number): Promise<void> {
  await queueMailStatement(db, mail, now);
}

/**
 * Claims up to `limit` due mails for `leaseMs`: a mail claimed by one sender is invisible to
 * another until its lease ends, so two jobs at once never send a mail twice (and a sender that
 * died mid-send leaves the mail to be retried after the lease).
 */
export async function claimDueMails(db: Db, now: number, limit: number, leaseMs: number): Promise<MailRow[]> {
  return db.all<MailRow>(sql`UPDATE mails SET claimed_until = ${now + leaseMs}
    WHERE id IN (SELECT id FROM mails WHERE status = 'queued' AND next_attempt_at <= ${now}
                 AND (claimed_until IS NULL OR claimed_until < ${now}) ORDER BY next_attempt_at LIMIT ${limit})
    RETURNING id, vendor_id AS vendorId, program_id AS programId, kind, "to", subject, body, link, dedupe_key AS dedupeKey, status, attempts,
      next_attempt_at AS nextAttemptAt, claimed_until AS claimedUntil, last_error AS lastError, sent_at AS sentAt, created_at AS createdAt`);
}

/** Sent: the secret link is erased (the body keeps a note where it was). */
export async function markMailSent(db: Db, id: string, now: number): Promise<void> {
  await db.update(mails).set({ status: "sent", sentAt: now, link: null, claimedUntil: null, attempts: sql`${mails.attempts} + 1` }).where(eq(mails.id, id));
}

/** A failed attempt: retried at `nextAttemptAt`, or given up (`failed`) when that is null. */
export async function markMailFailed(db: Db, id: string, error: string, nextAttemptAt: number | null): Promise<void> {
  await db.update(mails).set({
    status: nextAttemptAt === null ? "failed" : "queued", lastError: error.slice(0, 500), claimedUntil: null,
    attempts: sql`${mails.attempts} + 1`, ...(nextAttemptAt === null ? {} : { nextAttemptAt }),
  }).where(eq(mails.id, id));
}

/** A vendor's mails, newest first (the dashboard's outbox). */
export async function listMails(db: Db, filter: { vendorId: string; programId?: string; status?: MailStatus | undefined; to?: string | undefined }, page: PageRequest) {
  const rows = await db.select().from(mails).where(and(
    eq(mails.vendorId, filter.vendorId),
    filter.programId ? eq(mails.programId, filter.programId) : undefined,
    filter.status ? eq(mails.status, filter.status) : undefined,
    filter.to ? eq(mails.to, filter.to) : undefined,
    pageWhere(mails.createdAt, mails.id, page.cursor),
  )).orderBy(...pageOrder(mails.createdAt, mails.id)).limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** Mails still waiting, for health and tests. */
export async function waitingMailCount(db: Db, now: number): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(mails)
    .where(and(eq(mails.status, "queued"), lte(mails.nextAttemptAt, now), or(isNull(mails.claimedUntil), lt(mails.claimedUntil, now))));
  return Number(row?.n ?? 0);
}
