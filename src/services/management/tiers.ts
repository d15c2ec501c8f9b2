import { isUniqueViolation } from "../../db/errors";
import type { Db } from "../../db/client";
import type { ProgramRow } from "../../db/queries/programs";
import { archiveTier, insertTier, tierHasPartners, updateTier, type TierRow } from "../../db/queries/tiers";
import { parseThreshold, tierDeletionBlocker } from "../../domain/tiers";
import { conflict, invalidInput, ok, type Outcome } from "../outcome";

/**
 * Changes a tier's name, metric, threshold or window; partners move on the next settle. A new
 * metric needs a threshold in its own unit (1000.00 of revenue is not 1000 conversions).
 */
export async function changeTier(
  db: Db,
  program: ProgramRow,
  tier: TierRow,
  input: { name?: string | undefined; metric?: TierRow["metric"] | undefined; threshold?: string | number | undefined; windowDays?: number | undefined },
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
  const updated = await updateTier(db, tier.id, changes);
  return updated ? ok(updated) : conflict("this tier was deleted meanwhile");
}

/** Deletes (archives) a tier and its rules; not the entry tier, not a tier that has partners. */
export async function deleteTier(db: Db, tier: TierRow, now: number): Promise<Outcome<TierRow>> {
  const blocker = tierDeletionBlocker(tier, await tierHasPartners(db, tier.id));
  if (blocker) return conflict(blocker);
  // guarded again in the write: a partner moved into the tier meanwhile keeps it alive
  if (!(await archiveTier(db, tier.id, now))) return conflict("this tier has partners now");
  return ok({ ...tier, archivedAt: now });
}

/** A new tier; its rank is unique among the program's tiers. */
export async function createTier(
  db: Db,
  program: ProgramRow,
  input: { name: string; rank: number; metric: TierRow["metric"]; threshold: string | number; windowDays: number },
  now: number,
): Promise<Outcome<TierRow>> {
  const parsed = parseThreshold(input.metric, input.threshold, program.currency);
  if (!parsed.ok) return invalidInput("threshold", parsed.message);
  try {
    return ok(await insertTier(db, { programId: program.id, name: input.name, rank: input.rank, metric: input.metric, threshold: parsed.value, windowDays: input.windowDays, createdAt: now }));
  } catch (err) {
    if (isUniqueViolation(err)) return conflict(`rank ${input.rank} is taken in this program`);
    throw err;
  }
}
