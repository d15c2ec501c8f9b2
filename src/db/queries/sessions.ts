import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "../client";
import { sessions, signInLinks, type SessionArea } from "../schema";

export type SessionRow = typeof sessions.$inferSelect;

export async function insertSession(db: Db, row: SessionRow): Promise<void> {
  await db.insert(sessions).values(row);
}

/** The live session with this token hash, or null (unknown, expired or signed out). */
export async function findSession(db: Db, hash: string, area: SessionArea, now: number): Promise<SessionRow | null> {
  const [row] = await db.select().from(sessions).where(and(eq(sessions.hash, hash), eq(sessions.area, area), gt(sessions.expiresAt, now)));
  return row ?? null;
}

export async function deleteSession(db: Db, hash: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.hash, hash));
}

/** Drops expired sessions and sign-in links (run now and then; reads already ignore them). */
export async function purgeExpired(db: Db, now: number): Promise<void> {
  await db.batch([db.delete(sessions).where(lt(sessions.expiresAt, now)), db.delete(signInLinks).where(lt(signInLinks.expiresAt, now))]);
}

export async function insertSignInLink(db: Db, row: typeof signInLinks.$inferInsert): Promise<void> {
  await signInLinkStatement(db, row);
}

/** The insert of a sign-in link, to run in a batch (with the mail that carries it). */
export const signInLinkStatement = (db: Db, row: typeof signInLinks.$inferInsert) => db.insert(signInLinks).values(row);

/** Uses a sign-in link: the first caller wins, a used or expired link gives null. */
export async function consumeSignInLink(db: Db, hash: string, now: number) {
  const [row] = await db
    .update(signInLinks)
    .set({ usedAt: now })
    .where(and(eq(signInLinks.hash, hash), isNull(signInLinks.usedAt), gt(signInLinks.expiresAt, now)))
    .returning();
  return row ?? null;
}
