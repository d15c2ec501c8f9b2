/**
 * The partner satisfaction survey (CONTRACT-PRM §1): a 0–10 score once per UTC calendar
 * quarter, summarised as a Net Promoter Score. Pure.
 */

export const MAX_COMMENT_CHARS = 2000;

/** The UTC calendar quarter of an instant, as stored: `2026-Q4`. */
export function quarterOf(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

/** Counts of a set of scores: what SQL aggregates and the NPS needs. */
export interface ScoreCounts {
  responses: number;
  /** scores 9–10 */
  promoters: number;
  /** scores 0–6 */
  detractors: number;
  /** the sum of all scores */
  total: number;
}

export function countScores(scores: readonly number[]): ScoreCounts {
  let promoters = 0, detractors = 0, total = 0;
  for (const s of scores) {
    if (s >= 9) promoters++;
    else if (s <= 6) detractors++;
    total += s;
  }
  return { responses: scores.length, promoters, detractors, total };
}

/**
 * % promoters − % detractors, rounded to an integer in [−100, 100] (halves away from zero, so
 * the score is symmetric); null without responses.
 */
export function npsOf(c: Pick<ScoreCounts, "responses" | "promoters" | "detractors">): number | null {
  if (c.responses === 0) return null;
  const exact = (100 * (c.promoters - c.detractors)) / c.responses;
  const rounded = Math.sign(exact) * Math.round(Math.abs(exact));
  return rounded === 0 ? 0 : rounded; // never -0 in JSON
}

/** The mean score rounded to two decimals (a number, like the other KPI means); null without responses. */
export function averageOf(c: Pick<ScoreCounts, "responses" | "total">): number | null {
  if (c.responses === 0) return null;
  return Math.round((c.total / c.responses) * 100) / 100;
}
