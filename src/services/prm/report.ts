import { inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { links, partners } from "../../db/schema";
import { reportRows, type ReportGroup, type StatRow } from "../../db/queries/stats";
import { isoFromDay, rates } from "../../domain/reporting";

export interface ReportQuery {
  programNum: number;
  fromDay: number;
  toDay: number;
  groupBy: ReportGroup;
  /** limit to one partner (the partner's own report) */
  partnerNum?: number;
}

export interface ReportLine {
  key: string | null;
  clicks: number;
  uniqueClicks: number;
  botClicks: number;
  conversions: number;
  /** money in minor units, bigint: a sum may pass 2^53 */
  revenue: bigint;
  commission: bigint;
  conversionRate: number;
  epc: bigint;
}

const ZERO: Omit<StatRow, "key"> = { clicks: 0, uniqueClicks: 0, botClicks: 0, conversions: 0, revenue: 0n, commission: 0n };

async function idsByNum(db: Db, table: "partner" | "link", nums: number[]): Promise<Map<number, string>> {
  if (nums.length === 0) return new Map();
  const t = table === "partner" ? partners : links;
  const rows = await db.select({ num: t.num, id: t.id }).from(t).where(inArray(t.num, nums));
  return new Map(rows.map((r) => [r.num, r.id]));
}

function line(key: string | null, r: Omit<StatRow, "key">): ReportLine {
  // `r` may still carry the raw rollup key (a day or partner number): the contract key must win
  return { ...r, key, ...rates(r) };
}

/** A report from the daily rollup: rows keyed by the contract's keys, days zero-filled, totals. */
export async function buildReport(db: Db, q: ReportQuery): Promise<{ rows: ReportLine[]; totals: Omit<ReportLine, "key"> }> {
  const raw = await reportRows(db, q);
  let rows: ReportLine[];
  if (q.groupBy === "day") {
    const byDay = new Map(raw.map((r) => [Number(r.key), r]));
    rows = [];
    for (let d = q.fromDay; d <= q.toDay; d++) rows.push(line(isoFromDay(d), byDay.get(d) ?? { ...ZERO }));
  } else if (q.groupBy === "partner" || q.groupBy === "link") {
    const ids = await idsByNum(db, q.groupBy, raw.map((r) => Number(r.key)).filter((n) => n > 0));
    rows = raw.map((r) => line(ids.get(Number(r.key)) ?? null, r));
  } else {
    rows = raw.map((r) => line(r.key === "" ? null : String(r.key), r));
  }
  const sum = { ...ZERO };
  for (const r of rows) {
    sum.clicks += r.clicks; sum.uniqueClicks += r.uniqueClicks; sum.botClicks += r.botClicks; sum.conversions += r.conversions;
    sum.revenue += r.revenue; sum.commission += r.commission;
  }
  const { key: _key, ...totals } = line(null, sum);
  return { rows, totals };
}
