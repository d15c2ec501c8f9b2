import { and, desc, eq, gte, lt, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { clicks } from "../schema";
import type { Page } from "./pagination";

export type ClickListRow = {
  id: string; ts: number; bot: boolean; country: string | null; device: string; browser: string | null; os: string | null; referrerHost: string | null;
  sub1: string | null; sub2: string | null; sub3: string | null; sub4: string | null; sub5: string | null;
};

const cursorOf = (ts: number, seq: number) => Buffer.from(`${ts}|${seq}`).toString("base64url");
function decode(cursor: string | null): { ts: number; seq: number } | null {
  if (!cursor) return null;
  const [ts, seq] = Buffer.from(cursor, "base64url").toString("utf8").split("|").map(Number);
  return Number.isSafeInteger(ts) && Number.isSafeInteger(seq) ? { ts: ts!, seq: seq! } : null;
}

/**
 * A link's stored clicks in [fromMs, toMs), newest first. Paged by (ts, seq): the index on
 * (link_num, ts) carries seq (the rowid) too, so a page is read from the index in order, without
 * sorting a big link's clicks. Never selects the visitor hash.
 */
export async function listLinkClicks(db: Db, linkNum: number, range: { fromMs: number; toMs: number }, page: { limit: number; cursor: string | null }): Promise<Page<ClickListRow>> {
  const after = decode(page.cursor);
  const rows = await db
    .select({
      seq: clicks.seq, id: clicks.id, ts: clicks.ts, bot: clicks.bot, country: clicks.country, device: clicks.device, browser: clicks.browser, os: clicks.os,
      referrerHost: clicks.referrerHost, sub1: clicks.sub1, sub2: clicks.sub2, sub3: clicks.sub3, sub4: clicks.sub4, sub5: clicks.sub5,
    })
    .from(clicks)
    .where(and(
      eq(clicks.linkNum, linkNum), gte(clicks.ts, range.fromMs), lt(clicks.ts, range.toMs),
      after ? or(lt(clicks.ts, after.ts), and(eq(clicks.ts, after.ts), sql`${clicks.seq} < ${after.seq}`)) : undefined,
    ))
    .orderBy(desc(clicks.ts), desc(clicks.seq))
    .limit(page.limit + 1);
  const data = rows.slice(0, page.limit);
  const last = data[data.length - 1];
  return { data: data.map(({ seq: _seq, ...r }) => r), nextCursor: rows.length > page.limit && last ? cursorOf(last.ts, last.seq) : null };
}
