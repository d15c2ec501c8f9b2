import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, commissionRules, programs, tiers } from "../schema";
import { newId } from "../../domain/ids";
import type { ProgramSettings } from "../../domain/programSettings";
import { newKeyRow } from "./keys";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { tablesChanged } from "../changes";

export type ProgramRow = typeof programs.$inferSelect;
export type NewProgram = Omit<ProgramRow, "id" | "num" | "createdAt">;

/** Next small integer for a table's `num` column, computed inside the insert (atomic). */
export const nextNum = (table: "programs" | "partners" | "links") =>
  sql.raw(`(SELECT coalesce(max(num), 0) + 1 FROM ${table})`);

/** Creates a program with its entry tier (rank 0) and its postback and public keys. */
export async function insertProgram(db: Db, input: NewProgram, now: number) {
  const id = newId("prg");
  const entryTier = { id: newId("tier"), programId: id, name: "Entry", rank: 0, metric: "revenue" as const, threshold: 0, windowDays: 90, createdAt: now };
  const scope = { vendorId: input.vendorId, programId: id, partnerId: null };
  const postback = newKeyRow("postback", scope, now);
  const publicKey = newKeyRow("public", scope, now);
  await db.batch([
    db.insert(programs).values({ ...input, id, num: nextNum("programs"), createdAt: now }),
    db.insert(tiers).values(entryTier),
    db.insert(apiKeys).values([postback.row, publicKey.row]),
  ]);
  tablesChanged();
  const program = await getProgram(db, id);
  return { program: program!, postbackKey: postback.key, publicKey: publicKey.key, entryTierId: entryTier.id };
}

export async function getProgram(db: Db, id: string): Promise<ProgramRow | null> {
  const [row] = await db.select().from(programs).where(eq(programs.id, id));
  return row ?? null;
}

export async function getVendorProgram(db: Db, vendorId: string, id: string): Promise<ProgramRow | null> {
  const [row] = await db.select().from(programs).where(and(eq(programs.id, id), eq(programs.vendorId, vendorId)));
  return row ?? null;
}

/** Changes a vendor's program; returns the stored row, or null when it is not the vendor's. */
export async function updateProgram(db: Db, vendorId: string, id: string, changes: Partial<ProgramSettings>): Promise<ProgramRow | null> {
  if (Object.keys(changes).length === 0) return getVendorProgram(db, vendorId, id);
  const [row] = await db.update(programs).set(changes).where(and(eq(programs.id, id), eq(programs.vendorId, vendorId))).returning();
  tablesChanged();
  return row ?? null;
}

export async function listPrograms(db: Db, vendorId: string, page: PageRequest) {
  const rows = await db
    .select()
    .from(programs)
    .where(and(eq(programs.vendorId, vendorId), pageWhere(programs.createdAt, programs.id, page.cursor)))
    .orderBy(...pageOrder(programs.createdAt, programs.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function entryTierId(db: Db, programId: string): Promise<string> {
  const [row] = await db.select({ id: tiers.id }).from(tiers).where(and(eq(tiers.programId, programId), eq(tiers.rank, 0)));
  if (!row) throw new Error(`program ${programId} has no entry tier`);
  return row.id;
}

export type RuleRow = typeof commissionRules.$inferSelect;

export async function insertRule(db: Db, rule: Omit<RuleRow, "id">): Promise<RuleRow> {
  const row = { ...rule, id: newId("rule") };
  await db.insert(commissionRules).values(row);
  tablesChanged();
  return row;
}

export async function listRules(db: Db, programId: string): Promise<RuleRow[]> {
  return db.select().from(commissionRules).where(eq(commissionRules.programId, programId));
}

export async function getTier(db: Db, programId: string, tierId: string) {
  const [row] = await db.select().from(tiers).where(and(eq(tiers.id, tierId), eq(tiers.programId, programId)));
  return row ?? null;
}

/** Every program id, for jobs that run across programs (the scheduled settle). */
export async function allProgramIds(db: Db): Promise<string[]> {
  return (await db.select({ id: programs.id }).from(programs)).map((r) => r.id);
}
