import { sql, type SQL } from "drizzle-orm";
import { clientOf, type Db } from "../client";
import type { PreparedReader } from "../groupCommit";
import type { Contribution } from "../../domain/reporting";
import { isZero, utcDay } from "../../domain/reporting";
import { exactSumSql, toBigInt } from "./sums";

/**
 * `partner_num` of the rollup rows that sum every partner, kept for the dimensions a program-wide
 * report reads by key (country, device, sub1): with one row per partner and key, "by country"
 * had to add up partners × countries × days rows. 0 is taken (conversions without a partner).
 */
export const ALL_PARTNERS = -1;
/** The dimensions that also have ALL_PARTNERS rows. */
export const PROGRAM_WIDE_DIMS = ["country", "device", "sub1"] as const;
export const isProgramWide = (dim: string): boolean => (PROGRAM_WIDE_DIMS as readonly string[]).includes(dim);

/**
 * Where a click fold adds up each (dimension, key): once per partner (`partnerCol`) and, for the
 * program-wide dimensions, once more under ALL_PARTNERS. `groupBy` is what follows program and day.
 */
export function foldTargets(dims: readonly (readonly [dim: string, key: string])[], partnerCol: string) {
  return dims.flatMap(([dim, key]) => [
    { dim, key, partner: partnerCol, groupBy: `${partnerCol}, ${key}` },
    ...(isProgramWide(dim) ? [{ dim, key, partner: String(ALL_PARTNERS), groupBy: key }] : []),
  ]);
}

/**
 * Builds the ALL_PARTNERS rows from the per-partner rows, for data rolled up without them (the
 * migration that introduced them runs the same statement; bulk seeds run it at the end).
 */
export const ALL_PARTNERS_BACKFILL = `INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks, conversions, revenue, commission)
  SELECT program_num, dim, day, ${ALL_PARTNERS}, key, sum(clicks), sum(unique_clicks), sum(bot_clicks), sum(conversions), sum(revenue), sum(commission)
  FROM daily_stats WHERE dim IN (${PROGRAM_WIDE_DIMS.map((d) => `'${d}'`).join(", ")}) AND partner_num <> ${ALL_PARTNERS}
  GROUP BY program_num, dim, day, key
  ON CONFLICT (program_num, dim, day, partner_num, key) DO NOTHING`;

/** Where a conversion lands in the rollup, from its own row. */
export interface StatKeys {
  programNum: number;
  day: number;
  partnerNum: number;
  linkKey: string;
  country: string;
  device: string;
  sub1: string;
}

export function statKeysOf(programNum: number, conv: { occurredAt: number; partnerNum: number | null; linkNum: number | null; country: string | null; device: string | null; sub1: string | null }): StatKeys {
  return {
    programNum, day: utcDay(conv.occurredAt), partnerNum: conv.partnerNum ?? 0, linkKey: conv.linkNum === null ? "" : String(conv.linkNum),
    country: conv.country ?? "", device: conv.device ?? "", sub1: conv.sub1 ?? "",
  };
}

/**
 * One upsert adding a conversion delta under every dimension, guarded by `when` (an SQL
 * condition) so that it can ride in the same batch as the write it accounts for.
 */
export function statsDeltaStatement(db: Db, k: StatKeys, d: Contribution, when: SQL) {
  const row = (dim: string, key: string, partnerNum = k.partnerNum) => sql`(${k.programNum}, ${dim}, ${k.day}, ${partnerNum}, ${key}, ${d.conversions}, ${d.revenue}, ${d.commission})`;
  const dims: [string, string][] = [["total", ""], ["link", k.linkKey], ["country", k.country], ["device", k.device], ["sub1", k.sub1]];
  const rows = dims.flatMap(([dim, key]) => [row(dim, key), ...(isProgramWide(dim) ? [row(dim, key, ALL_PARTNERS)] : [])]);
  return db.run(sql`INSERT INTO daily_stats (program_num, dim, day, partner_num, key, conversions, revenue, commission)
    SELECT * FROM (VALUES ${sql.join(rows, sql`, `)})
    WHERE ${when}
    ON CONFLICT (program_num, dim, day, partner_num, key) DO UPDATE SET
      conversions = conversions + excluded.conversions, revenue = revenue + excluded.revenue, commission = commission + excluded.commission`);
}

/** The statement only when the delta changes something (no empty upserts). */
export function statsDelta(db: Db, k: StatKeys, d: Contribution, when: SQL) {
  return isZero(d) ? [] : [statsDeltaStatement(db, k, d, when)];
}

/**
 * Set-based fold of the clicks in `range` (an SQL condition on `c.seq`) into daily_stats, one
 * statement per dimension. A click is unique when it is its visitor's first on the link that
 * day (link_visitors.first_seq, filled just before by the click rollup).
 */
export function clickStatsStatements(range: string): string[] {
  const unique = `(EXISTS (SELECT 1 FROM link_visitors v WHERE v.link_num = c.link_num AND v.day = c.ts / 86400000
                   AND v.visitor = c.visitor AND v.first_seq = c.seq))`;
  const dims: [string, string][] = [
    ["total", "''"], ["link", "CAST(c.link_num AS TEXT)"], ["country", "coalesce(c.country, '')"],
    ["device", "c.device"], ["sub1", "coalesce(c.sub1, '')"],
  ];
  return foldTargets(dims, "c.partner_num").map(({ dim, key, partner, groupBy }) => `INSERT INTO daily_stats (program_num, dim, day, partner_num, key, clicks, unique_clicks, bot_clicks)
     SELECT c.program_num, '${dim}', c.ts / 86400000, ${partner}, ${key}, sum(1 - c.bot), sum(${unique}), sum(c.bot)
     FROM clicks c WHERE ${range}
     GROUP BY c.program_num, c.ts / 86400000, ${groupBy}
     ON CONFLICT (program_num, dim, day, partner_num, key) DO UPDATE SET
       clicks = clicks + excluded.clicks, unique_clicks = unique_clicks + excluded.unique_clicks, bot_clicks = bot_clicks + excluded.bot_clicks`);
}

export interface StatRow {
  key: string | number;
  clicks: number;
  uniqueClicks: number;
  botClicks: number;
  conversions: number;
  /** money sums may pass 2^53: exact */
  revenue: bigint;
  commission: bigint;
}

export type ReportGroup = "day" | "partner" | "link" | "country" | "device" | "sub1";

/** Report rows straight from the rollup; keys are raw (day number, partner/link number, text). */
export async function reportRows(db: Db, q: { programNum: number; fromDay: number; toDay: number; groupBy: ReportGroup; partnerNum?: number }): Promise<StatRow[]> {
  const dim = q.groupBy === "day" || q.groupBy === "partner" ? "total" : q.groupBy;
  const keyCol = q.groupBy === "day" ? sql`day` : q.groupBy === "partner" ? sql`partner_num` : sql`key`;
  // One partner's rows, or for a program-wide report by country/device/sub1 the ALL_PARTNERS rows.
  const partner = q.partnerNum !== undefined ? sql` AND partner_num = ${q.partnerNum}`
    : isProgramWide(dim) ? sql` AND partner_num = ${ALL_PARTNERS}` : sql``;
  const result = await db.all<Record<keyof StatRow, unknown>>(sql`SELECT ${keyCol} AS key, sum(clicks) AS clicks, sum(unique_clicks) AS uniqueClicks,
      sum(bot_clicks) AS botClicks, sum(conversions) AS conversions, ${exactSumSql(sql`revenue`)} AS revenue, ${exactSumSql(sql`commission`)} AS commission
    FROM daily_stats WHERE program_num = ${q.programNum} AND dim = ${dim} AND day BETWEEN ${q.fromDay} AND ${q.toDay}${partner}
    GROUP BY ${keyCol} ORDER BY ${keyCol}`);
  return result.map((r) => ({
    key: r.key as string | number, clicks: Number(r.clicks), uniqueClicks: Number(r.uniqueClicks), botClicks: Number(r.botClicks), conversions: Number(r.conversions),
    revenue: toBigInt(r.revenue), commission: toBigInt(r.commission),
  }));
}

/** Country, device and sub1 of a stored click, for the conversion it led to. */
export async function clickDimensions(db: Db, clickId: string) {
  const [row] = await db.all<{ country: string | null; device: string | null; sub1: string | null }>(
    sql`SELECT country, device, sub1 FROM clicks WHERE id = ${clickId}`,
  );
  return row ?? null;
}

/**
 * How many (non-bot) clicks the visitor of a stored click made on its link that UTC day, as
 * rolled up (link_visitors; the rollup follows the click writes within seconds). Two primary-key
 * lookups: this runs for every attributed postback, so it is read through `prepared` when there
 * is one. Null when the click is not stored yet.
 */
export async function visitorClicksThatDay(db: Db, clickId: string, prepared?: PreparedReader): Promise<number | null> {
  if (prepared) {
    const row = prepared.row(VISITOR_CLICKS_SQL, [clickId]);
    return row ? Number(row[0]) : null;
  }
  const [row] = (await clientOf(db).execute({ sql: VISITOR_CLICKS_SQL, args: [clickId] })).rows;
  return row ? Number(row[0]) : null;
}

const VISITOR_CLICKS_SQL = `SELECT
    coalesce((SELECT v.clicks FROM link_visitors v WHERE v.link_num = k.link_num AND v.day = k.ts / 86400000 AND v.visitor = k.visitor), 0) AS n
  FROM clicks k WHERE k.id = ?`;
