import type { Db } from "../../db/client";
import { applyAction, approveDue, bannedPartnersOpenCommissions } from "../../db/queries/lifecycle";
import { applyTierChanges, listTiers, partnerMetrics, programPartnerTiers } from "../../db/queries/tiers";
import { assignTier, type PartnerMetrics } from "../../domain/tiers";
import { allProgramIds, getProgram } from "../../db/queries/programs";
import { expireDeals } from "../../db/queries/deals";
import { timeOutLeads } from "../leads/actions";
import { expiredDealEvent } from "../deals/decide";
import { SYSTEM_ACTOR } from "../../domain/audit";

export interface SettleResult {
  approved: number;
  tierChanges: number;
  /** approved deals whose protection passed */
  expiredDeals: number;
  /** offered leads whose time to answer passed, moved on */
  timedOutLeads: number;
}

/**
 * Settle a program at `now`: approve pending commissions whose hold has passed, move every
 * partner to the highest tier its results reach, expire deals whose protection has passed and
 * move on leads nobody answered in time. Idempotent: a second run finds nothing to do; two runs
 * at once each change a row at most once (guarded updates).
 */
export async function settleProgram(db: Db, programId: string, now: number): Promise<SettleResult> {
  const vendorId = (await getProgram(db, programId))?.vendorId ?? "";
  // before approving: a ban whose rejections never ran (the process died between its two steps) pays nothing
  await applyAction(db, await bannedPartnersOpenCommissions(db, programId), "reject", now);
  const approved = await approveDue(db, programId, now, vendorId);
  const tiers = await listTiers(db, programId);
  const metrics = await partnerMetrics(db, programId, tiers.filter((t) => t.rank > 0).map((t) => t.windowDays), now);
  const empty: PartnerMetrics = { byWindow: new Map() };
  const changes = [];
  for (const p of await programPartnerTiers(db, programId)) {
    const { tier, metricValue } = assignTier(tiers, metrics.get(p.id) ?? empty);
    if (tier.id !== p.tierId) changes.push({ partnerId: p.id, from: p.tierId, to: tier.id, metricValue });
  }
  await applyTierChanges(db, programId, changes, now);
  const program = await getProgram(db, programId);
  const expiredDeals = await expireDeals(db, programId, now, program && ((after) => expiredDealEvent(program, after, now)));
  const timedOutLeads = program ? await timeOutLeads(db, program, now) : 0;
  return { approved, tierChanges: changes.length, expiredDeals, timedOutLeads };
}

/** Settles every program (the scheduled job); one program's failure does not stop the others. */
export async function settleAll(db: Db, now: number, log: (line: string) => void = () => {}) {
  const total: SettleResult = { approved: 0, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 };
  for (const id of await allProgramIds(db)) {
    try {
      const r = await settleProgram(db, id, now);
      for (const k of Object.keys(total) as (keyof SettleResult)[]) total[k] += r[k];
    } catch (err) {
      log(`settle of ${id} failed: ${String(err)}`);
    }
  }
  return total;
}
