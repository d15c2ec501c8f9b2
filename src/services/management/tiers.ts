import { isUniqueViolation } from "../../db/errors";
import type { Db } from "../../db/client";
import type { ProgramRow } from "../../db/queries/programs";
import { archiveTier, insertTier, tierHasPartners, updateTier, type TierRow } from "../../db/queries/tiers";
import { parseThreshold, tierDeletionBlocker } from "../../domain/tiers";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";
import { diffChanges, type Actor } from "../../domain/audit";
import { formatMoney } from "../../domain/money";
import type { EventInput } from "../../db/queries/events";

const TIER_FIELDS = ["name", "rank", "metric", "threshold", "windowDays"] as const;

/** A tier as the API shows it (a revenue threshold as money), so the audit diff reads like the API. */
const shown = (program: ProgramRow, t: Partial<TierRow> | null) =>
  t && { ...t, threshold: t.threshold === undefined ? undefined : t.metric === "revenue" ? formatMoney(t.threshold, program.currency) : String(t.threshold) };

function tierEvent(program: ProgramRow, actor: Actor, action: string, tierId: string, before: Partial<TierRow> | null, after: Partial<TierRow> | null): EventInput {
  return { vendorId: program.vendorId, programId: program.id, action, actor, object: { type: "tier", id: tierId }, changes: diffChanges(shown(program, before), shown(program, after), TIER_FIELDS) };
}

/**
 * Changes a tier's name, metric, threshold or window; partners move on the next settle. A new
 * metric needs a threshold in its own unit (1000.00 of revenue is not 1000 conversions).
 */
export async function changeTier(
  db: Db,
  program: ProgramRow,
  tier: TierRow,
  input: { name?: string | undefined; metric?: TierRow["metric"] | undefined; threshold?: string | number | undefined; windowDays?: number | undefined },
  actor: Actor,
  now: number,
): Promise<Outcome<TierRow>> {
  const metric = input.metric ?? tier.metric;
  if (input.threshold === undefined && metric !== tier.metric) return invalidInput("threshold", `required when the metric changes (a ${metric} threshold)`);
  const changes: Parameters<typeof updateTier>[2] = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.windowDays !== undefined) changes.windowDays = input.windowDays;
  if (input.metric !== undefined) changes.metric = input.metric;
  if (input.threshold !== undefined) {
    const parsed = parseThreshold(metric, input.threshold, program.currency);
    if (!parsed.ok) return invalidInput("threshold", parsed.message);
    if (tier.rank === 0 && parsed.value !== 0) return invalidInput("threshold", "the entry tier's threshold is 0: every partner qualifies for it");
    changes.threshold = parsed.value;
  }
  const event = tierEvent(program, actor, "tier.update", tier.id, tier, { ...tier, ...changes });
  const updated = await updateTier(db, tier.id, changes, Object.keys(event.changes!).length ? event : null, now);
  return updated ? ok(updated) : conflict("this tier was deleted meanwhile");
}

/** Deletes (archives) a tier and its rules; not the entry tier, not a tier that has partners. */
export async function deleteTier(db: Db, program: ProgramRow, tier: TierRow, now: number, actor: Actor): Promise<Outcome<TierRow>> {
  const blocker = tierDeletionBlocker(tier, await tierHasPartners(db, tier.id));
  if (blocker) return conflict(blocker);
  // guarded again in the write: a partner moved into the tier meanwhile keeps it alive
  const event = { ...tierEvent(program, actor, "tier.delete", tier.id, null, null), changes: { archived: [false, true] as [unknown, unknown] } };
  if (!(await archiveTier(db, tier.id, now, event))) return conflict("this tier has partners now");
  return ok({ ...tier, archivedAt: now });
}

/** A new tier; its rank is unique among the program's tiers. */
export async function createTier(
  db: Db,
  program: ProgramRow,
  input: { name: string; rank: number; metric: TierRow["metric"]; threshold: string | number; windowDays: number },
  now: number,
  actor: Actor,
): Promise<Outcome<TierRow>> {
  const parsed = parseThreshold(input.metric, input.threshold, program.currency);
  if (!parsed.ok) return invalidInput("threshold", parsed.message);
  try {
    return ok(await insertTier(db, { programId: program.id, name: input.name, rank: input.rank, metric: input.metric, threshold: parsed.value, windowDays: input.windowDays, createdAt: now }, (row) => tierEvent(program, actor, "tier.create", row.id, null, row)));
  } catch (err) {
    if (isUniqueViolation(err)) return conflict(`rank ${input.rank} is taken in this program`);
    throw err;
  }
}
