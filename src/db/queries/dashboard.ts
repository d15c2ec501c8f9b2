import { writeWithEvent } from "./events";
import type { KeyEvent } from "./keys";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { apiKeys, commissionRules, commissions, partners, payouts, tiers } from "../schema";
import { newKeyRow } from "./keys";
import { partnerSearch } from "./partners";
import { payoutSelection } from "./payouts";
import { exactSum } from "./sums";
import type { CommissionRow } from "./conversions";
import { tablesChanged } from "../changes";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";

/** Read models the dashboard pages need beside the API's queries. */

/** Every partner of a program, newest first (programs have hundreds, not millions); `q` as in listPartners. */
export async function programPartners(db: Db, programId: string, q?: string) {
  return db.select().from(partners).where(and(eq(partners.programId, programId), partnerSearch(q))).orderBy(desc(partners.createdAt)).limit(5000);
}

/** Payouts of a program, newest first, with the partner's name. */
export async function programPayouts(db: Db, programId: string, limit = 200) {
  return db
    .select({ payout: payoutSelection, name: partners.name, email: partners.email })
    .from(payouts)
    .innerJoin(partners, eq(partners.id, payouts.partnerId))
    .where(eq(payouts.programId, programId))
    .orderBy(desc(payouts.createdAt), desc(payouts.id))
    .limit(limit);
}

/** Payouts of a program as keyset pages, newest first (the payouts export reads them all). */
export async function programPayoutPage(db: Db, programId: string, page: PageRequest) {
  const rows = await db
    .select({ payout: payoutSelection, name: partners.name, email: partners.email })
    .from(payouts)
    .innerJoin(partners, eq(partners.id, payouts.partnerId))
    .where(and(eq(payouts.programId, programId), pageWhere(payouts.createdAt, payouts.id, page.cursor)))
    .orderBy(...pageOrder(payouts.createdAt, payouts.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => ({ ...r, id: r.payout.id, createdAt: r.payout.createdAt })), page.limit);
}

/** A partner's payouts as keyset pages, newest first. */
export async function partnerPayoutPage(db: Db, partnerId: string, page: PageRequest) {
  const rows = await db
    .select(payoutSelection)
    .from(payouts)
    .where(and(eq(payouts.partnerId, partnerId), pageWhere(payouts.createdAt, payouts.id, page.cursor)))
    .orderBy(...pageOrder(payouts.createdAt, payouts.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

/** What approved, unpaid commissions wait for the next payout batch, per partner (amounts exact). */
export async function unpaidApproved(db: Db, programId: string) {
  const rows = await db
    .select({ partnerId: commissions.partnerId, amount: exactSum(commissions.amount), n: sql<number>`count(*)` })
    .from(commissions)
    .where(and(eq(commissions.programId, programId), eq(commissions.status, "approved"), sql`${commissions.payoutId} IS NULL`))
    .groupBy(commissions.partnerId);
  return rows.map((r) => ({ partnerId: r.partnerId, amount: r.amount, count: Number(r.n) }));
}

/** Commission counts by status for a program (queue badges). */
export async function commissionStatusCounts(db: Db, programId: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: commissions.status, n: sql<number>`count(*)` })
    .from(commissions)
    .where(eq(commissions.programId, programId))
    .groupBy(commissions.status);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * The rule and tier a commission was priced with (for its explanation): the rule's type and
 * value as they were then (the commission's copy), even if the rule was changed or archived since.
 */
export async function pricingOf(db: Db, commission: CommissionRow | null) {
  const [rule] = commission?.ruleId ? await db.select().from(commissionRules).where(eq(commissionRules.id, commission.ruleId)) : [];
  const [tier] = commission?.tierId ? await db.select().from(tiers).where(eq(tiers.id, commission.tierId)) : [];
  const priced = rule && commission ? { ...rule, type: commission.ruleType ?? rule.type, value: commission.ruleValue ?? rule.value } : null;
  return { rule: priced, tier: tier ? { id: tier.id, name: tier.name } : null };
}

/** Key prefixes of a program (keys themselves are stored only as hashes). */
export async function programKeyPrefixes(db: Db, programId: string) {
  return db
    .select({ kind: apiKeys.kind, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.programId, programId), sql`${apiKeys.revokedAt} IS NULL`, sql`${apiKeys.partnerId} IS NULL`))
    .orderBy(desc(apiKeys.createdAt));
}

/** Issues another public key for a program (the snippet's `data-pk`; not secret). */
export async function issuePublicKey(db: Db, scope: { vendorId: string; programId: string }, now: number, event: KeyEvent = null): Promise<string> {
  const { key, row } = newKeyRow("public", { ...scope, partnerId: null }, now);
  await writeWithEvent(db, db.insert(apiKeys).values(row), event ? event(row.id) : null, now);
  tablesChanged();
  return key;
}
