import type { Db } from "../../db/client";
import { isUniqueViolationOf } from "../../db/errors";
import type { PartnerRow } from "../../db/queries/partners";
import { insertSatisfaction, satisfactionComments, satisfactionCounts, satisfactionOfQuarter, type SatisfactionRow } from "../../db/queries/satisfaction";
import { newId } from "../../domain/ids";
import { averageOf, npsOf, quarterOf } from "../../domain/satisfaction";
import { conflict, ok, type Outcome } from "../outcome";

const ANSWERED = "you already answered this quarter; the question comes back next quarter";

/** A partner's answer for the current UTC quarter; a second one that quarter is a conflict (the unique index decides a race). */
export async function submitSatisfaction(db: Db, partner: PartnerRow, input: { score: number; comment?: string | undefined }, now: number): Promise<Outcome<SatisfactionRow>> {
  const quarter = quarterOf(now);
  if (await satisfactionOfQuarter(db, partner.id, quarter)) return conflict(ANSWERED);
  const row: SatisfactionRow = { id: newId("sat"), programId: partner.programId, partnerId: partner.id, quarter, score: input.score, comment: input.comment?.trim() || null, createdAt: now };
  try {
    return ok(await insertSatisfaction(db, row));
  } catch (err) {
    if (isUniqueViolationOf(err, "quarter")) return conflict(ANSWERED);
    throw err;
  }
}

/** Whether the portal should still ask the partner this quarter. */
export async function mustAskSatisfaction(db: Db, partnerId: string, now: number): Promise<boolean> {
  return !(await satisfactionOfQuarter(db, partnerId, quarterOf(now)));
}

export const MAX_REPORTED_COMMENTS = 100;

/** The program's satisfaction over [from, to) (ms): responses, NPS, average score and the newest comments. */
export async function satisfactionReport(db: Db, programId: string, period: { from: number; to: number }) {
  const [counts, comments] = await Promise.all([satisfactionCounts(db, programId, period), satisfactionComments(db, programId, period, MAX_REPORTED_COMMENTS)]);
  return {
    responses: counts.responses, nps: npsOf(counts), average: averageOf(counts),
    comments: comments.map((c) => ({ score: c.score, comment: c.comment!, partnerId: c.partnerId, at: new Date(c.createdAt).toISOString() })),
  };
}
