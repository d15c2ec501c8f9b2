import type { Db } from "../../src/db/client";
import { programPartners } from "../../src/db/queries/dashboard";
import { listLinks } from "../../src/db/queries/links";
import { listTiers } from "../../src/db/queries/tiers";
import type { ProgramRow } from "../../src/db/queries/programs";
import { buildReport, type ReportLine } from "../../src/services/prm/report";

/** Lookups the manager pages share: names by id, every link of a program. */
export async function partnerDirectory(db: Db, programId: string) {
  const [partners, tiers] = await Promise.all([programPartners(db, programId), listTiers(db, programId)]);
  const tierNames = new Map(tiers.map((t) => [t.id, t.name]));
  return { partners, tiers, tierNames, names: new Map(partners.map((p) => [p.id, p.name])) };
}

export async function allLinks(db: Db, vendorId: string, filter: { programId: string; partnerId?: string; q?: string }) {
  const out = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const page: Awaited<ReturnType<typeof listLinks>> = await listLinks(db, { vendorId, ...filter }, { limit: 100, cursor });
    out.push(...page.data);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export type Range = { fromDay: number; toDay: number };

export const report = (db: Db, program: ProgramRow, range: Range, groupBy: "day" | "partner" | "link" | "country" | "device" | "sub1", partnerNum?: number) =>
  buildReport(db, { programNum: program.num, fromDay: range.fromDay, toDay: range.toDay, groupBy, partnerNum });

/** Report rows by revenue, then clicks, the best first. */
export const best = (rows: ReportLine[], n: number) =>
  [...rows].sort((a, b) => (b.revenue > a.revenue ? 1 : b.revenue < a.revenue ? -1 : b.conversions - a.conversions || b.clicks - a.clicks)).slice(0, n);
