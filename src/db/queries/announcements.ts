import { and, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import { announcementReads, announcements, partners } from "../schema";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";

export type AnnouncementRow = typeof announcements.$inferSelect;

/** SQL condition: the announcement is for the partner's tier, or for everyone. */
const forTier = (tierId: string): SQL =>
  sql`(${announcements.tierIds} IS NULL OR EXISTS (SELECT 1 FROM json_each(${announcements.tierIds}) WHERE value = ${tierId}))`;

/** Writes the announcement and what goes with it (its event, the recipients' mails) as one transaction. */
export async function insertAnnouncement(db: Db, row: AnnouncementRow, also: BatchItem<"sqlite">[]): Promise<AnnouncementRow> {
  await db.batch([db.insert(announcements).values(row), ...also]);
  return row;
}

/** The approved partners an announcement reaches: those in its tiers (every tier when null). */
export async function announcementRecipients(db: Db, programId: string, tierIds: string[] | null) {
  return db
    .select({ id: partners.id, name: partners.name, email: partners.email })
    .from(partners)
    .where(and(
      eq(partners.programId, programId), eq(partners.status, "approved"),
      tierIds === null ? undefined : sql`${partners.tierId} IN (SELECT value FROM json_each(${JSON.stringify(tierIds)}))`,
    ));
}

/** The program's announcements newest first (optionally only those that reach a tier), each with how many partners marked it read. */
export async function listProgramAnnouncements(db: Db, programId: string, page: PageRequest, filter: { tierId?: string | undefined } = {}) {
  const rows = await db
    .select({ a: announcements, reads: sql<number>`(SELECT count(*) FROM announcement_reads r WHERE r.announcement_id = ${announcements.id})` })
    .from(announcements)
    .where(and(eq(announcements.programId, programId), filter.tierId ? forTier(filter.tierId) : undefined, pageWhere(announcements.createdAt, announcements.id, page.cursor)))
    .orderBy(...pageOrder(announcements.createdAt, announcements.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => ({ ...r.a, readCount: Number(r.reads) })), page.limit);
}

export interface PartnerScope { id: string; programId: string; tierId: string }

/** What the partner sees: its program's announcements for its tier or for all, newest first, with its readAt. */
export async function listPartnerAnnouncements(db: Db, partner: PartnerScope, page: PageRequest, opts: { unreadOnly?: boolean } = {}) {
  const rows = await db
    .select({ a: announcements, readAt: announcementReads.readAt })
    .from(announcements)
    .leftJoin(announcementReads, and(eq(announcementReads.announcementId, announcements.id), eq(announcementReads.partnerId, partner.id)))
    .where(and(
      eq(announcements.programId, partner.programId), forTier(partner.tierId),
      opts.unreadOnly ? sql`${announcementReads.readAt} IS NULL` : undefined,
      pageWhere(announcements.createdAt, announcements.id, page.cursor),
    ))
    .orderBy(...pageOrder(announcements.createdAt, announcements.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => ({ ...r.a, readAt: r.readAt ?? null })), page.limit);
}

/** One announcement the partner may see, or null (another program's or another tier's is not there). */
export async function getPartnerAnnouncement(db: Db, partner: PartnerScope, id: string): Promise<AnnouncementRow | null> {
  const [row] = await db.select().from(announcements).where(and(eq(announcements.id, id), eq(announcements.programId, partner.programId), forTier(partner.tierId)));
  return row ?? null;
}

/** Marks it read once (again: the first time stays); the time it was first read. */
export async function markAnnouncementRead(db: Db, announcementId: string, partnerId: string, now: number): Promise<number> {
  await db.insert(announcementReads).values({ announcementId, partnerId, readAt: now }).onConflictDoNothing();
  const [row] = await db.select({ readAt: announcementReads.readAt }).from(announcementReads)
    .where(and(eq(announcementReads.announcementId, announcementId), eq(announcementReads.partnerId, partnerId)));
  return row!.readAt;
}

/** How many announcements the partner has not read (the portal's nav badge). */
export async function unreadAnnouncementCount(db: Db, partner: PartnerScope): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(announcements)
    .where(and(eq(announcements.programId, partner.programId), forTier(partner.tierId),
      sql`NOT EXISTS (SELECT 1 FROM announcement_reads r WHERE r.announcement_id = ${announcements.id} AND r.partner_id = ${partner.id})`));
  return Number(row?.n ?? 0);
}
