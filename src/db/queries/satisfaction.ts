import { and, desc, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import type { Db } from "../client";
import { satisfactionResponses } from "../schema";
import type { ScoreCounts } from "../../domain/satisfaction";

export type SatisfactionRow = typeof satisfactionResponses.$inferSelect;

/** Stores an answer; a second one of the partner in the same quarter fails on `satisfaction_quarter_uq`. */
export async function insertSatisfaction(db: Db, row: SatisfactionRow): Promise<SatisfactionRow> {
  await db.insert(satisfactionResponses).values(row);
  return row;
}

/** The partner's answer of that quarter, or null. */
export async function satisfactionOfQuarter(db: Db, partnerId: string, quarter: string): Promise<SatisfactionRow | null> {
  const [row] = await db.select().from(satisfactionResponses).where(and(eq(satisfactionResponses.partnerId, partnerId), eq(satisfactionResponses.quarter, quarter)));
  return row ?? null;
}

const inPeriod = (programId: string, period: { from: number; to: number }) =>
  and(eq(satisfactionResponses.programId, programId), gte(satisfactionResponses.createdAt, period.from), lt(satisfactionResponses.createdAt, period.to));

/** The program's answers given in [from, to) (ms), counted as the NPS needs them. */
export async function satisfactionCounts(db: Db, programId: string, period: { from: number; to: number }): Promise<ScoreCounts> {
  const [row] = await db
    .select({
      responses: sql<number>`count(*)`,
      promoters: sql<number>`coalesce(sum(${satisfactionResponses.score} >= 9), 0)`,
      detractors: sql<number>`coalesce(sum(${satisfactionResponses.score} <= 6), 0)`,
      total: sql<number>`coalesce(sum(${satisfactionResponses.score}), 0)`,
    })
    .from(satisfactionResponses)
    .where(inPeriod(programId, period));
  return { responses: Number(row?.responses ?? 0), promoters: Number(row?.promoters ?? 0), detractors: Number(row?.detractors ?? 0), total: Number(row?.total ?? 0) };
}

/** The newest answers with a comment in [from, to), at most `limit`. */
export async function satisfactionComments(db: Db, programId: string, period: { from: number; to: number }, limit: number) {
  return db
    .select({ score: satisfactionResponses.score, comment: satisfactionResponses.comment, partnerId: satisfactionResponses.partnerId, createdAt: satisfactionResponses.createdAt })
    .from(satisfactionResponses)
    .where(and(inPeriod(programId, period), isNotNull(satisfactionResponses.comment)))
    .orderBy(desc(satisfactionResponses.createdAt), desc(satisfactionResponses.id))
    .limit(limit);
}
