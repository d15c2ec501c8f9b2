import type { Db } from "../../db/client";
import { approveDue } from "../../db/queries/lifecycle";
import { applyTierChanges, listTiers, partnerMetrics, programPartnerTiers } from "../../db/queries/tiers";
import { assignTier, type PartnerMetrics } from "../../domain/tiers";
import { allProgramIds, getProgram } from "../../db/queries/programs";
import { commissionJson } from "../../http/api/present";

/**
 * Settle a program at `now`: approve pending commissions whose hold has passed, then move every
 * partner to the highest tier its results reach. Idempotent: a second run finds nothing to do.
 */
export async function settleProgram(db: Db, programId: string, now: number): Promise<{ approved: number; tierChanges: number }> {
  const vendorId = (await getProgram(db, programId))?.vendorId ?? "";
  const approved = await approveDue(db, programId, now, (c) => ({
    vendorId, programId, type: "commission.updated", action: null, actor: { kind: "system" },
    object: { type: "commission", id: c.id }, changes: { status: ["pending", "approved"] }, data: commissionJson(c),
  }));
  const tiers = await listTiers(db, programId);
  const metrics = await partnerMetrics(db, programId, tiers.filter((t) => t.rank > 0).map((t) => t.windowDays), now);
  const empty: PartnerMetrics = { byWindow: new Map() };
  const changes = [];
  for (const p of await programPartnerTiers(db, programId)) {
    const { tier, metricValue } = assignTier(tiers, metrics.get(p.id) ?? empty);
    if (tier.id !== p.tierId) changes.push({ partnerId: p.id, from: p.tierId, to: tier.id, metricValue });
  }
  await applyTierChanges(db, programId, changes, now);
  return { approved, tierChanges: changes.length };
}

/** Settles every program (the scheduled job); one program's failure does not stop the others. */
export async function settleAll(db: Db, now: number, log: (line: string) => void = () => {}) {
  let approved = 0;
  let tierChanges = 0;
  for (const id of await allProgramIds(db)) {
    try {
      const r = await settleProgram(db, id, now);
      approved += r.approved;
      tierChanges += r.tierChanges;
    } catch (err) {
      log(`settle of ${id} failed: ${String(err)}`);
    }
  }
  return { approved, tierChanges };
}
