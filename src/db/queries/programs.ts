import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, commissionRules, programs, tiers } from "../schema";
import { newId } from "../../domain/ids";
import type { ProgramSettings } from "../../domain/programSettings";
import { newKeyRow } from "./keys";
import { handleCandidate, handleFromName } from "../../domain/applications";
import { isUniqueViolationOf } from "../errors";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { tablesChanged } from "../changes";
import { eventInsert, writeWithEvent, type EventInput } from "./events";

export type ProgramRow = typeof programs.$inferSelect;
/** Settings with a column default may be left out (the default applies); without a handle it gets one derived from its name. */
type Defaulted = "minConversionSeconds" | "dealProtectionDays" | "leadSlaHours" | "handle" | "applications";
export type NewProgram = Omit<ProgramRow, "id" | "num" | "createdAt" | Defaulted> & Partial<Pick<ProgramRow, Defaulted>>;
/** The first handle derived from the name that no program uses yet. */
export async function freeHandle(db: Db, name: string): Promise<string> {
  const base = handleFromName(name);
  const taken = new Set((await db.select({ h: programs.handle }).from(programs).where(sql`${programs.handle} = ${base} OR ${programs.handle} LIKE ${`${base.slice(0, 36)}%`}`)).map((r) => r.h));
  for (let n = 1; ; n++) if (!taken.has(handleCandidate(base, n))) return handleCandidate(base, n);
}

export async function getProgramByHandle(db: Db, handle: string): Promise<ProgramRow | null> {
  const [row] = await db.select().from(programs).where(eq(programs.handle, handle));
  return row ?? null;
}

/** Next small integer for a table's `num` column, computed inside the insert (atomic). */
export const nextNum = (table: "programs" | "partners" | "links") =>
  sql.raw(`(SELECT coalesce(max(num), 0) + 1 FROM ${table})`);

/**
 * Creates a program with its entry tier (rank 0) and its postback and public keys. A given handle
 * that is taken fails on `programs.handle` (a unique violation); a derived one is retried.
 */
export async function insertProgram(
  db: Db, input: NewProgram, now: number, event: ((programId: string) => EventInput) | null = null,
): Promise<{ program: ProgramRow; postbackKey: string; publicKey: string; entryTierId: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await insertProgramOnce(db, { ...input, handle: input.handle ?? (await freeHandle(db, input.name)) }, now, event);
    } catch (err) {
      // two programs of the same name created at once: the second takes the next free handle
      if (input.handle !== undefined || attempt >= 4 || !isUniqueViolationOf(err, "handle")) throw err;
    }
  }
}

async function insertProgramOnce(db: Db, input: NewProgram & { handle: string }, now: number, event: ((programId: string) => EventInput) | null) {
  const id = newId("prg");
  const entryTier = { id: newId("tier"), programId: id, name: "Entry", rank: 0, metric: "revenue" as const, threshold: 0, windowDays: 90, createdAt: now, archivedAt: null };
  const scope = { vendorId: input.vendorId, programId: id, partnerId: null };
  const postback = newKeyRow("postback", scope, now);
  const publicKey = newKeyRow("public", scope, now);
  await db.batch([
    db.insert(programs).values({ ...input, id, num: nextNum("programs"), createdAt: now }),
    db.insert(tiers).values(entryTier),
    db.insert(apiKeys).values([postback.row, publicKey.row]),
    ...(event ? [eventInsert(db, event(id), now)] : []),
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
export async function updateProgram(
  db: Db, vendorId: string, id: string, changes: Partial<ProgramSettings & Pick<ProgramRow, "handle" | "applications">>, event: EventInput | null = null, now = Date.now(),
): Promise<ProgramRow | null> {
  if (Object.keys(changes).length === 0) return getVendorProgram(db, vendorId, id);
  const [row] = await writeWithEvent(db, db.update(programs).set(changes).where(and(eq(programs.id, id), eq(programs.vendorId, vendorId))).returning(), event, now);
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
  const [row] = await db.select({ id: tiers.id }).from(tiers).where(and(eq(tiers.programId, programId), eq(tiers.rank, 0), isNull(tiers.archivedAt)));
  if (!row) throw new Error(`program ${programId} has no entry tier`);
  return row.id;
}

export type RuleRow = typeof commissionRules.$inferSelect;

/** Stores a rule; a second active rule for the same event and tier fails on `rules_active_uq` (a unique violation). */
export async function insertRule(
  db: Db, rule: Omit<RuleRow, "id" | "archivedAt" | "durationMonths"> & { durationMonths?: number | null }, event: ((row: RuleRow) => EventInput) | null = null,
): Promise<RuleRow> {
  const row = { ...rule, durationMonths: rule.durationMonths ?? null, id: newId("rule"), archivedAt: null };
  await writeWithEvent(db, db.insert(commissionRules).values(row), event ? event(row) : null, rule.createdAt);
  tablesChanged();
  return row;
}

/** The active rules of a program: what prices new conversions (archived rules never do). */
export async function listRules(db: Db, programId: string): Promise<RuleRow[]> {
  return db.select().from(commissionRules).where(and(eq(commissionRules.programId, programId), isNull(commissionRules.archivedAt)));
}

/** Rules for the API list, newest first; archived ones too when asked. */
export async function listProgramRules(db: Db, programId: string, opts: { archived: boolean }): Promise<RuleRow[]> {
  return db
    .select()
    .from(commissionRules)
    .where(and(eq(commissionRules.programId, programId), opts.archived ? undefined : isNull(commissionRules.archivedAt)))
    .orderBy(desc(commissionRules.createdAt), desc(commissionRules.id));
}

/** A rule of one of the vendor's programs, with its program. */
export async function getVendorRule(db: Db, vendorId: string, ruleId: string): Promise<{ rule: RuleRow; program: ProgramRow } | null> {
  const [row] = await db
    .select({ rule: commissionRules, program: programs })
    .from(commissionRules)
    .innerJoin(programs, eq(programs.id, commissionRules.programId))
    .where(and(eq(commissionRules.id, ruleId), eq(programs.vendorId, vendorId)));
  return row ?? null;
}

export async function getRule(db: Db, ruleId: string): Promise<RuleRow | null> {
  const [row] = await db.select().from(commissionRules).where(eq(commissionRules.id, ruleId));
  return row ?? null;
}

/** Changes an active rule's type and value in place (commissions keep their own copy of both). */
export async function updateRule(db: Db, ruleId: string, changes: { type: RuleRow["type"]; value: number; durationMonths?: number | null }, event: EventInput | null = null, now = Date.now()): Promise<RuleRow | null> {
  const [row] = await writeWithEvent(db, db.update(commissionRules).set(changes).where(and(eq(commissionRules.id, ruleId), isNull(commissionRules.archivedAt))).returning(), event, now);
  tablesChanged();
  return row ?? null;
}

/** Archives a rule; false when it was archived already. */
export async function archiveRule(db: Db, ruleId: string, now: number, event: EventInput | null = null): Promise<boolean> {
  const rows = await writeWithEvent(db, db.update(commissionRules).set({ archivedAt: now }).where(and(eq(commissionRules.id, ruleId), isNull(commissionRules.archivedAt))).returning({ id: commissionRules.id }), event, now);
  tablesChanged();
  return rows.length === 1;
}

/** An active tier of the program (a deleted tier names nothing new). */
export async function getTier(db: Db, programId: string, tierId: string) {
  const [row] = await db.select().from(tiers).where(and(eq(tiers.id, tierId), eq(tiers.programId, programId), isNull(tiers.archivedAt)));
  return row ?? null;
}

/** Every program id, for jobs that run across programs (the scheduled settle). */
export async function allProgramIds(db: Db): Promise<string[]> {
  return (await db.select({ id: programs.id }).from(programs)).map((r) => r.id);
}
