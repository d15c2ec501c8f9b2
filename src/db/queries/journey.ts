import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { stageMonths, type StageFacts } from "../../domain/stages";
import type { ApplicationStatus } from "../schema";

/** One partner with what its stage and the program KPIs need: its attributed conversions folded to flags. */
export interface PartnerJourneyRow {
  id: string;
  createdAt: number;
  facts: StageFacts;
  /** attributed conversions in [from, to) and in the period of equal length before it */
  inPeriod: boolean;
  inPrevious: boolean;
  /** first attributed conversion before `to` (the KPIs look at facts up to the period's end) */
  firstBefore: number | null;
}

const flag = (v: unknown) => Number(v ?? 0) === 1;

/**
 * Journey facts of a program's partners (all, or the ones named), in one pass over the
 * program's attributed conversions (the covering `conversions_occurred_idx`).
 * `period` defaults to an empty one (stage only).
 */
export async function partnerJourney(db: Db, programId: string, now: number, opts: { ids?: string[]; period?: { from: number; to: number } } = {}): Promise<PartnerJourneyRow[]> {
  if (opts.ids && opts.ids.length === 0) return [];
  const [m2, m1, m0, next] = stageMonths(now);
  const from = opts.period?.from ?? 0;
  const to = opts.period?.to ?? 0;
  const prev = from - (to - from);
  const only = opts.ids ? sql`AND p.id IN (${sql.join(opts.ids.map((id) => sql`${id}`), sql`, `)})` : sql``;
  // per partner, seeks in conversions_partner_occurred_idx (attributed conversions by time)
  const any = (a: number, b: number) => sql`EXISTS (SELECT 1 FROM conversions c WHERE c.partner_id = p.id AND c.status = 'attributed' AND c.occurred_at >= ${a} AND c.occurred_at < ${b})`;
  const rows = await db.all<Record<string, unknown>>(sql`
    SELECT p.id AS id, p.created_at AS createdAt, t.rank AS rank,
      (SELECT min(c.occurred_at) FROM conversions c WHERE c.partner_id = p.id AND c.status = 'attributed') AS first,
      ${any(from, to)} AS inPeriod, ${any(prev, from)} AS inPrevious, ${any(m0, next)} AS a0, ${any(m1, m0)} AS a1, ${any(m2, m1)} AS a2
    FROM partners p JOIN tiers t ON t.id = p.tier_id
    WHERE p.program_id = ${programId} ${only}`);
  return rows.map((r) => ({
    id: String(r.id),
    createdAt: Number(r.createdAt),
    facts: { firstConversionAt: r.first === null ? null : Number(r.first), months: [flag(r.a0), flag(r.a1), flag(r.a2)], aboveEntryTier: Number(r.rank) > 0 },
    inPeriod: flag(r.inPeriod),
    inPrevious: flag(r.inPrevious),
    // the first conversion is before `to` or there is none before it
    firstBefore: r.first === null || Number(r.first) >= to ? null : Number(r.first),
  }));
}

/** Applications of a program submitted in [from, to): status and join source of each; and how many are pending now. */
export async function applicationFacts(db: Db, programId: string, period: { from: number; to: number }) {
  const rows = await db.all<{ status: ApplicationStatus; source: string | null }>(sql`
    SELECT status, source FROM applications WHERE program_id = ${programId} AND created_at >= ${period.from} AND created_at < ${period.to}`);
  const [pending] = await db.all<{ n: number }>(sql`SELECT count(*) AS n FROM applications WHERE program_id = ${programId} AND status = 'pending'`);
  return { submitted: rows, pendingNow: Number(pending?.n ?? 0) };
}

/** Per UTC month since `from` ("YYYY-MM"): partners approved (created) and partners with an attributed conversion. */
export async function monthlyPartners(db: Db, programId: string, from: number): Promise<{ month: string; new: number; active: number }[]> {
  const [created, active] = await Promise.all([
    db.all<{ m: string; n: number }>(sql`SELECT strftime('%Y-%m', created_at / 1000, 'unixepoch') AS m, count(*) AS n FROM partners
      WHERE program_id = ${programId} AND created_at >= ${from} GROUP BY m`),
    db.all<{ m: string; n: number }>(sql`SELECT strftime('%Y-%m', occurred_at / 1000, 'unixepoch') AS m, count(DISTINCT partner_id) AS n FROM conversions
      WHERE program_id = ${programId} AND occurred_at >= ${from} AND status = 'attributed' AND partner_id IS NOT NULL GROUP BY m`),
  ]);
  const months = new Map<string, { month: string; new: number; active: number }>();
  const at = (m: string) => months.get(m) ?? (months.set(m, { month: m, new: 0, active: 0 }), months.get(m)!);
  for (const r of created) at(r.m).new = Number(r.n);
  for (const r of active) at(r.m).active = Number(r.n);
  return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
}
