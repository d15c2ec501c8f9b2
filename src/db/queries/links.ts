import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../client";
import { linkClickCounts, links, partners, programs } from "../schema";
import { newId } from "../../domain/ids";
import { nextNum } from "./programs";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { tablesChanged } from "../changes";
import { writeWithEvent, type EventInput } from "./events";
import { textSearch } from "./search";

export type LinkRow = typeof links.$inferSelect;
export type LinkWithCounts = LinkRow & { clicks: number; botClicks: number };

export async function insertLink(
  db: Db,
  input: { programId: string; partnerId: string; slug: string; destination: string; allowDeepLinks: boolean },
  now: number,
  event: ((linkId: string) => EventInput) | null = null,
): Promise<LinkRow> {
  const id = newId("lnk");
  await writeWithEvent(db, db.insert(links).values({ ...input, id, num: nextNum("links"), archived: false, createdAt: now, updatedAt: now }), event ? event(id) : null, now);
  tablesChanged();
  return (await getLink(db, id))!;
}

export async function slugTaken(db: Db, slug: string): Promise<boolean> {
  const [row] = await db.select({ id: links.id }).from(links).where(eq(links.slug, slug));
  return row !== undefined;
}

export async function getLink(db: Db, id: string): Promise<LinkRow | null> {
  const [row] = await db.select().from(links).where(eq(links.id, id));
  return row ?? null;
}

/** Slug and partner of some links of a program (names for report rows keyed by link id). */
export async function linkSlugs(db: Db, programId: string, ids: string[]): Promise<Map<string, { slug: string; partnerId: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: links.id, slug: links.slug, partnerId: links.partnerId }).from(links)
    .where(and(eq(links.programId, programId), inArray(links.id, ids)));
  return new Map(rows.map((r) => [r.id, r]));
}

const withCounts = {
  clicks: linkClickCounts.clicks,
  botClicks: linkClickCounts.botClicks,
};

function countsOrZero<T extends { clicks: number | null; botClicks: number | null }>(row: T) {
  return { ...row, clicks: row.clicks ?? 0, botClicks: row.botClicks ?? 0 };
}

export async function getLinkWithCounts(db: Db, id: string): Promise<LinkWithCounts | null> {
  const [row] = await db
    .select({ link: links, ...withCounts })
    .from(links)
    .leftJoin(linkClickCounts, eq(linkClickCounts.linkNum, links.num))
    .where(eq(links.id, id));
  return row ? countsOrZero({ ...row.link, clicks: row.clicks, botClicks: row.botClicks }) : null;
}

/**
 * A vendor's links, newest first; `q` finds them by a part of their slug or destination, or of
 * their partner's name or email.
 */
export async function listLinks(db: Db, filter: { vendorId: string; programId?: string | undefined; partnerId?: string | undefined; q?: string | undefined }, page: PageRequest) {
  const search = textSearch(filter.q, [links.slug, links.destination, partners.name, partners.email]);
  const rows = await db
    .select({ link: links, ...withCounts })
    .from(links)
    .innerJoin(programs, eq(programs.id, links.programId))
    .innerJoin(partners, eq(partners.id, links.partnerId))
    .leftJoin(linkClickCounts, eq(linkClickCounts.linkNum, links.num))
    .where(
      and(
        eq(programs.vendorId, filter.vendorId),
        filter.programId ? eq(links.programId, filter.programId) : undefined,
        filter.partnerId ? eq(links.partnerId, filter.partnerId) : undefined,
        search,
        pageWhere(links.createdAt, links.id, page.cursor),
      ),
    )
    .orderBy(...pageOrder(links.createdAt, links.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => countsOrZero({ ...r.link, clicks: r.clicks, botClicks: r.botClicks })), page.limit);
}

export async function updateLink(db: Db, id: string, patch: Partial<Pick<LinkRow, "destination" | "allowDeepLinks" | "archived">>, now: number, event: EventInput | null = null) {
  await writeWithEvent(db, db.update(links).set({ ...patch, updatedAt: now }).where(eq(links.id, id)), event, now);
  tablesChanged();
}

/** What the redirect needs about a slug, in one indexed read. */
export async function resolveSlug(db: Db, slug: string) {
  const [row] = await db
    .select({
      linkNum: links.num, linkId: links.id, destination: links.destination, allowDeepLinks: links.allowDeepLinks, archived: links.archived,
      partnerNum: partners.num, programNum: programs.num, clickParam: programs.clickParam, cookieDays: programs.cookieDays,
      allowedDomains: programs.allowedDomains,
    })
    .from(links)
    .innerJoin(partners, eq(partners.id, links.partnerId))
    .innerJoin(programs, eq(programs.id, links.programId))
    .where(eq(links.slug, slug));
  return row ?? null;
}
export type ResolvedSlug = NonNullable<Awaited<ReturnType<typeof resolveSlug>>>;

/** Resolves the numbers inside a click id to the link and partner they name. */
export async function linkByNums(db: Db, linkNum: number, partnerNum: number) {
  const [row] = await db
    .select({ linkId: links.id, partnerId: partners.id, programId: links.programId })
    .from(links)
    .innerJoin(partners, eq(partners.id, links.partnerId))
    .where(and(eq(links.num, linkNum), eq(partners.num, partnerNum)));
  return row ?? null;
}
