import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { commissionRules, partners, programs, tierChanges, tiers } from "../schema";
import { newId } from "../../domain/ids";
import { DAY_MS } from "../../domain/traffic";
import type { PartnerMetrics } from "../../domain/tiers";
import { tablesChanged } from "../changes";
import { eventInsert, PREVIOUS_CHANGED, writeWithEvent, type EventInput } from "./events";
import { exactSumSql, toBigInt } from "./sums";

export type TierRow = typeof tiers.$inferSelect;
/** `revenue` arrives as the text of an exact sum (it may pass 2^53). */
type MetricRow = { partnerId: string; revenue: string; conversions: number };

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/**
 * Tier metrics are compared with thresholds, which parseMoney caps at 10^13 minor units: a
 * revenue saturated at 2^53 - 1 reaches exactly the tiers the exact one would.
 */
const saturated = (v: bigint) => Number(v > MAX_SAFE ? MAX_SAFE : v < -MAX_SAFE ? -MAX_SAFE : v);

export async function insertTier(db: Db, tier: Omit<TierRow, "id" | "archivedAt">, event: ((row: TierRow) => EventInput) | null = null): Promise<TierRow> {
  const row = { ...tier, id: newId("tier"), archivedAt: null };
  await writeWithEvent(db, db.insert(tiers).values(row), event ? event(row) : null, tier.createdAt);
  tablesChanged();
  return row;
}

/** The program's active tiers, entry tier first (deleted tiers take part in nothing). */
export async function listTiers(db: Db, programId: string): Promise<TierRow[]> {
  return db.select().from(tiers).where(and(eq(tiers.programId, programId), isNull(tiers.archivedAt))).orderBy(tiers.rank);
}

/** An active tier of one of the vendor's programs, with its program. */
export async function getVendorTier(db: Db, vendorId: string, tierId: string) {
  const [row] = await db
    .select({ tier: tiers, program: programs })
    .from(tiers)
    .innerJoin(programs, eq(programs.id, tiers.programId))
    .where(and(eq(tiers.id, tierId), eq(programs.vendorId, vendorId), isNull(tiers.archivedAt)));
  return row ?? null;
}

/** Any tier by id, deleted ones included (explanations name the tier a commission was priced in). */
export async function getTierById(db: Db, tierId: string): Promise<TierRow | null> {
  const [row] = await db.select().from(tiers).where(eq(tiers.id, tierId));
  return row ?? null;
}

export async function tierHasPartners(db: Db, tierId: string): Promise<boolean> {
  const [row] = await db.select({ id: partners.id }).from(partners).where(eq(partners.tierId, tierId)).limit(1);
  return row !== undefined;
}

export async function updateTier(db: Db, tierId: string, changes: Partial<Pick<TierRow, "name" | "metric" | "threshold" | "windowDays">>, event: EventInput | null = null, now = Date.now()): Promise<TierRow | null> {
  const [row] = Object.keys(changes).length
    ? await writeWithEvent(db, db.update(tiers).set(changes).where(and(eq(tiers.id, tierId), isNull(tiers.archivedAt))).returning(), event, now)
    : await db.select().from(tiers).where(and(eq(tiers.id, tierId), isNull(tiers.archivedAt)));
  tablesChanged();
  return row ?? null;
}

/**
 * Deletes a tier by archiving it (old commissions keep naming it) together with its rules, in
 * one batch, only while no partner is in it: a partner moved in meanwhile makes it a no-op.
 */
export async function archiveTier(db: Db, tierId: string, now: number, event: EventInput | null = null): Promise<boolean> {
  const [first] = await db.batch([
    db.run(sql`UPDATE tiers SET archived_at = ${now} WHERE id = ${tierId} AND archived_at IS NULL AND rank <> 0
      AND NOT EXISTS (SELECT 1 FROM partners WHERE tier_id = ${tierId})`),
    ...(event ? [eventInsert(db, event, now, PREVIOUS_CHANGED)] : []),
    db.update(commissionRules).set({ archivedAt: now })
      .where(and(eq(commissionRules.tierId, tierId), isNull(commissionRules.archivedAt), sql`EXISTS (SELECT 1 FROM tiers WHERE id = ${tierId} AND archived_at = ${now})`)),
  ]);
  tablesChanged();
  return first.rowsAffected === 1;
}

/**
 * Every partner's net revenue and conversion count over each window length: attributed, not
 * fully refunded conversions whose commission is not rejected or reversed (contract), by
 * `occurredAt`. One grouped scan per distinct window.
 */
export async function partnerMetrics(db: Db, programId: string, windows: number[], now: number): Promise<Map<string, PartnerMetrics>> {
  const out = new Map<string, PartnerMetrics>();
  const counted = sql`c.status = 'attributed' AND NOT (c.amount > 0 AND c.refunded >= c.amount)`;
  for (const days of new Set(windows)) {
    const inWindow = sql`c.occurred_at > ${now - days * DAY_MS} AND c.occurred_at <= ${now}`;
    // All counted conversions, less the few whose commission was rejected or reversed: two
    // grouped scans instead of a commission lookup for every conversion in the window.
    const all = await db.all<MetricRow>(sql`
      SELECT c.partner_id AS partnerId, ${exactSumSql(sql`c.amount - c.refunded`)} AS revenue, count(*) AS conversions
      FROM conversions c WHERE c.program_id = ${programId} AND ${inWindow} AND ${counted} GROUP BY c.partner_id`);
    const excluded = await db.all<MetricRow>(sql`
      SELECT c.partner_id AS partnerId, ${exactSumSql(sql`c.amount - c.refunded`)} AS revenue, count(*) AS conversions
      FROM commissions m JOIN conversions c ON c.id = m.conversion_id
      WHERE m.program_id = ${programId} AND m.status IN ('rejected', 'reversed') AND ${inWindow} AND ${counted}
      GROUP BY c.partner_id`);
    const minus = new Map(excluded.map((r) => [r.partnerId, r]));
    for (const r of all) {
      const x = minus.get(r.partnerId);
      let m = out.get(r.partnerId);
      if (!m) out.set(r.partnerId, (m = { byWindow: new Map() }));
      (m.byWindow as Map<number, { revenue: number; conversions: number }>).set(days, {
        revenue: saturated(toBigInt(r.revenue) - toBigInt(x?.revenue ?? "0")),
        conversions: Number(r.conversions) - Number(x?.conversions ?? 0),
      });
    }
  }
  return out;
}

export async function programPartnerTiers(db: Db, programId: string) {
  return db.select({ id: partners.id, tierId: partners.tierId }).from(partners).where(eq(partners.programId, programId));
}

/** Moves partners to new tiers and records each change, atomically; guarded so reruns are no-ops. */
export async function applyTierChanges(db: Db, programId: string, changes: { partnerId: string; from: string; to: string; metricValue: number }[], now: number) {
  if (changes.length === 0) return;
  const statements = changes.flatMap((ch) => {
    const id = newId("tier");
    return [
      db.run(sql`INSERT INTO tier_changes (id, program_id, partner_id, from_tier_id, to_tier_id, metric_value, created_at)
        SELECT ${id}, ${programId}, ${ch.partnerId}, ${ch.from}, ${ch.to}, ${ch.metricValue}, ${now}
        WHERE EXISTS (SELECT 1 FROM partners WHERE id = ${ch.partnerId} AND tier_id = ${ch.from})`),
      db.run(sql`UPDATE partners SET tier_id = ${ch.to} WHERE id = ${ch.partnerId} AND tier_id = ${ch.from}`),
    ];
  });
  for (let i = 0; i < statements.length; i += 500) {
    const chunk = statements.slice(i, i + 500);
    await db.batch(chunk as [(typeof chunk)[0], ...typeof chunk]);
  }
  tablesChanged();
}

export async function listTierChanges(db: Db, partnerId: string) {
  return db.select().from(tierChanges).where(eq(tierChanges.partnerId, partnerId)).orderBy(desc(tierChanges.createdAt)).limit(100);
}

