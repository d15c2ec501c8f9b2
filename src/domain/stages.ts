/**
 * The partner journey (CONTRACT-PRM §1): interest → recruitment → activation → investment →
 * devotion. A stage is computed from stored facts, never set by hand:
 * - interest: a pending application (not a partner yet);
 * - recruitment: approved, no attributed conversion yet;
 * - activation: a first attributed conversion, but conversions in fewer than 2 of the last 3 calendar months;
 * - investment: conversions in at least 2 of the last 3 calendar months;
 * - devotion: conversions in each of the last 3 calendar months and a tier above the entry tier.
 * "The last 3 calendar months" are the current UTC month and the two before it.
 */
export const STAGES = ["interest", "recruitment", "activation", "investment", "devotion"] as const;
export type Stage = (typeof STAGES)[number];
export type PartnerStage = Exclude<Stage, "interest">;

/** UTC midnight of the first day of the month `back` months before the one holding `now` (0: this month). */
export function monthStart(now: number, back: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
}

/** The bounds the stage query needs: [start of 2 months back, start of last month, start of this month, start of next month). */
export function stageMonths(now: number): [number, number, number, number] {
  return [monthStart(now, 2), monthStart(now, 1), monthStart(now, 0), monthStart(now, -1)];
}

export interface StageFacts {
  /** time of the partner's first attributed conversion, null when none */
  firstConversionAt: number | null;
  /** attributed conversions in [this month, last month, the month before] */
  months: readonly [boolean, boolean, boolean];
  /** the partner's tier ranks above the entry tier (rank 0) */
  aboveEntryTier: boolean;
}

const MONTH_NAMES = ["this month", "last month", "the month before"] as const;

function monthList(months: readonly boolean[]): string {
  const names = MONTH_NAMES.filter((_, i) => months[i]);
  return names.length ? names.join(", ") : "none of the last 3 calendar months";
}

/** The stage of an approved partner (whatever its status now), with the reason in words. */
export function partnerStage(f: StageFacts): { stage: PartnerStage; stageReason: string } {
  if (f.firstConversionAt === null) return { stage: "recruitment", stageReason: "approved, no attributed conversion yet" };
  const active = f.months.filter(Boolean).length;
  const first = new Date(f.firstConversionAt).toISOString().slice(0, 10);
  if (active === 3 && f.aboveEntryTier) return { stage: "devotion", stageReason: `conversions in each of the last 3 calendar months and a tier above the entry tier` };
  if (active >= 2) {
    const why = active === 3 ? " (each of the last 3, but still in the entry tier)" : "";
    return { stage: "investment", stageReason: `conversions in ${active} of the last 3 calendar months: ${monthList(f.months)}${why}` };
  }
  return { stage: "activation", stageReason: `first attributed conversion on ${first}; conversions in ${active} of the last 3 calendar months (${monthList(f.months)}), investment needs 2` };
}
