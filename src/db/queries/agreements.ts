import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import { agreementAcceptances, agreements, partners, programs } from "../schema";
import { newId } from "../../domain/ids";

export type AgreementRow = typeof agreements.$inferSelect;
export type AcceptanceRow = typeof agreementAcceptances.$inferSelect;

/** The number the next version takes (max + 1). */
export async function nextAgreementVersion(db: Db, programId: string): Promise<number> {
  const [row] = await db.select({ v: sql<number>`coalesce(max(${agreements.version}), 0) + 1` }).from(agreements).where(eq(agreements.programId, programId));
  return Number(row?.v ?? 1);
}

/**
 * Publishes version `version` with what goes with it (the partners' mails) as one transaction;
 * two publications at once collide on `agreements_version_uq` and write nothing.
 */
export async function insertAgreement(db: Db, programId: string, input: { title: string; body: string; version: number }, now: number, also: (agreementId: string) => BatchItem<"sqlite">[] = () => []): Promise<AgreementRow> {
  const row: AgreementRow = { id: newId("agr"), programId, title: input.title, body: input.body, version: input.version, publishedAt: now };
  await db.batch([db.insert(agreements).values(row), ...also(row.id)]);
  return row;
}

export async function getAgreement(db: Db, id: string): Promise<AgreementRow | null> {
  const [row] = await db.select().from(agreements).where(eq(agreements.id, id));
  return row ?? null;
}

/** An agreement of one of the vendor's programs, or null. */
export async function getVendorAgreement(db: Db, vendorId: string, id: string): Promise<AgreementRow | null> {
  const [row] = await db.select({ a: agreements }).from(agreements).innerJoin(programs, eq(programs.id, agreements.programId)).where(and(eq(agreements.id, id), eq(programs.vendorId, vendorId)));
  return row?.a ?? null;
}

/** The newest version of the program's agreement (the current one), or null when it has none. */
export async function currentAgreement(db: Db, programId: string): Promise<AgreementRow | null> {
  const [row] = await db.select().from(agreements).where(eq(agreements.programId, programId)).orderBy(desc(agreements.version)).limit(1);
  return row ?? null;
}

/** Versions newest first, each with how many partners accepted it. */
export async function listAgreements(db: Db, programId: string): Promise<(AgreementRow & { acceptedCount: number })[]> {
  const rows = await db
    .select({ a: agreements, n: sql<number>`(SELECT count(*) FROM agreement_acceptances x WHERE x.agreement_id = ${agreements.id})` })
    .from(agreements).where(eq(agreements.programId, programId)).orderBy(desc(agreements.version));
  return rows.map((r) => ({ ...r.a, acceptedCount: Number(r.n) }));
}

export async function acceptanceOf(db: Db, agreementId: string, partnerId: string): Promise<AcceptanceRow | null> {
  const [row] = await db.select().from(agreementAcceptances).where(and(eq(agreementAcceptances.agreementId, agreementId), eq(agreementAcceptances.partnerId, partnerId)));
  return row ?? null;
}

/** Records an acceptance once (accepting again keeps the first time). */
export async function insertAcceptance(db: Db, row: AcceptanceRow): Promise<AcceptanceRow> {
  await db.insert(agreementAcceptances).values(row).onConflictDoNothing();
  return (await acceptanceOf(db, row.agreementId, row.partnerId))!;
}

/** Who accepted a version, newest first (the dashboard's list). */
export async function acceptancesOf(db: Db, agreementId: string) {
  return db
    .select({ partnerId: agreementAcceptances.partnerId, name: partners.name, email: partners.email, version: agreementAcceptances.version, acceptedAt: agreementAcceptances.acceptedAt })
    .from(agreementAcceptances).innerJoin(partners, eq(partners.id, agreementAcceptances.partnerId))
    .where(eq(agreementAcceptances.agreementId, agreementId)).orderBy(desc(agreementAcceptances.acceptedAt));
}

/**
 * SQL condition: the partner (a qualified partner id column: the inner query has its own) may be paid and get leads, i.e. the program
 * has no agreement or the partner accepted its current version.
 */
export const acceptedCurrent = (programId: string, partnerIdCol: SQL) => sql`(
  NOT EXISTS (SELECT 1 FROM agreements WHERE program_id = ${programId})
  OR EXISTS (SELECT 1 FROM agreement_acceptances x WHERE x.partner_id = ${partnerIdCol}
    AND x.agreement_id = (SELECT id FROM agreements WHERE program_id = ${programId} ORDER BY version DESC LIMIT 1)))`;
