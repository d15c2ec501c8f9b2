import { and, asc, eq, getTableColumns, gte, inArray, isNotNull, isNull, lt, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import type { PreparedReader } from "../groupCommit";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { BatchItem } from "drizzle-orm/batch";
import { contribution, delta, NO_CONTRIBUTION } from "../../domain/reporting";
import { newToken } from "../../domain/ids";
import { statKeysOf, statsDelta } from "./stats";
import { commissions, conversions, customers, idempotencyKeys, links, programs } from "../schema";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { eventInsert, eventRow, type EventInput } from "./events";

export type ConversionRow = typeof conversions.$inferSelect;
export type CommissionRow = typeof commissions.$inferSelect;

export async function findConversion(db: Db, programId: string, event: string, orderId: string): Promise<ConversionRow | null> {
  const [row] = await db
    .select()
    .from(conversions)
    .where(and(eq(conversions.programId, programId), eq(conversions.event, event as "sale"), eq(conversions.orderId, orderId)));
  return row ?? null;
}

/**
 * A stored conversion and its commission, by the conversion's key. Through `prepared` (the Node
 * server's native connection) it is one prepared read: a network replaying a day of postbacks
 * reads this for every one of them, and two reads built by drizzle cost more than a new
 * conversion's whole write (profiled: ~340 µs per replay).
 */
export async function findConversionWithCommission(
  db: Db, programId: string, event: string, orderId: string, prepared?: PreparedReader,
): Promise<{ conversion: ConversionRow; commission: CommissionRow | null } | null> {
  if (!prepared) {
    const conversion = await findConversion(db, programId, event, orderId);
    return conversion && { conversion, commission: await commissionOf(db, conversion.id) };
  }
  const row = prepared.row(CONVERSION_WITH_COMMISSION_SQL, [programId, event, orderId]);
  if (!row) return null;
  const conversion = fromRaw<ConversionRow>(CONVERSION_FIELDS, row, 0);
  const commission = row[CONVERSION_FIELDS.length] === null ? null : fromRaw<CommissionRow>(COMMISSION_FIELDS, row, CONVERSION_FIELDS.length);
  return { conversion, commission };
}

/** [property, column] of a table, in the table's order, with the column's own decoding (JSON columns are parsed). */
const fieldsOf = (table: SQLiteTable) => Object.entries(getTableColumns(table)) as [string, { name: string; mapFromDriverValue(v: unknown): unknown }][];
const CONVERSION_FIELDS = fieldsOf(conversions);
const COMMISSION_FIELDS = fieldsOf(commissions);
const CONVERSION_WITH_COMMISSION_SQL = `SELECT ${CONVERSION_FIELDS.map(([, c]) => `c.${c.name}`).join(", ")}, ${COMMISSION_FIELDS.map(([, c]) => `m.${c.name}`).join(", ")}
  FROM conversions c LEFT JOIN commissions m ON m.conversion_id = c.id WHERE c.program_id = ? AND c.event = ? AND c.order_id = ?`;

function fromRaw<T>(fields: [string, { mapFromDriverValue(v: unknown): unknown }][], row: unknown[], offset: number): T {
  const out: Record<string, unknown> = {};
  fields.forEach(([key, column], i) => {
    const v = row[offset + i];
    out[key] = v === null || v === undefined ? null : column.mapFromDriverValue(v);
  });
  return out as T;
}

export async function getConversion(db: Db, id: string): Promise<ConversionRow | null> {
  const [row] = await db.select().from(conversions).where(eq(conversions.id, id));
  return row ?? null;
}

export async function commissionOf(db: Db, conversionId: string): Promise<CommissionRow | null> {
  const [row] = await db.select().from(commissions).where(eq(commissions.conversionId, conversionId));
  return row ?? null;
}

export async function findCustomer(db: Db, programId: string, externalId: string) {
  const [row] = await db.select().from(customers).where(and(eq(customers.programId, programId), eq(customers.externalId, externalId)));
  return row ?? null;
}

/** first_click: the earliest click among this customer's attributed conversions since `since`. */
export async function earliestCustomerClick(db: Db, programId: string, customerId: string, since: number) {
  const [row] = await db
    .select({ clickId: conversions.clickId, clickTs: conversions.clickTs, linkId: conversions.linkId, partnerId: conversions.partnerId })
    .from(conversions)
    .where(
      and(
        eq(conversions.programId, programId), eq(conversions.customerId, customerId), eq(conversions.status, "attributed"),
        isNotNull(conversions.clickTs), gte(conversions.clickTs, since),
        // a pixel counts for its customer only once a manager approved its commission
        sql`(${conversions.source} = 'postback' OR EXISTS (SELECT 1 FROM commissions m WHERE m.conversion_id = ${conversions.id} AND m.status NOT IN ('hold', 'rejected')))`,
      ),
    )
    .orderBy(asc(conversions.clickTs))
    .limit(1);
  if (!row?.clickId || row.clickTs === null || !row.linkId || !row.partnerId) return null;
  return { clickId: row.clickId, clickTs: row.clickTs, linkId: row.linkId, partnerId: row.partnerId };
}

/**
 * The customer → partner mapping learns from an attributed conversion (first and last partner),
 * guarded by `when` so that it rides in the batch of the write it follows. Only conversions a
 * postback or a manager vouched for reach it: a pixel never re-points a customer.
 */
export function customerUpsert(db: Db, conv: Pick<ConversionRow, "programId" | "customerId" | "partnerId" | "occurredAt">, when: SQL) {
  const t = conv.occurredAt;
  return db.run(sql`INSERT INTO customers (program_id, external_id, first_partner_id, first_at, last_partner_id, last_at)
    SELECT ${conv.programId}, ${conv.customerId}, ${conv.partnerId}, ${t}, ${conv.partnerId}, ${t}
    WHERE ${when}
    ${sql.raw(CUSTOMER_MERGE)}`);
}

/** How a customer's row takes a new attributed conversion: earliest and latest partner win. */
export const CUSTOMER_MERGE = `ON CONFLICT (program_id, external_id) DO UPDATE SET
  first_partner_id = CASE WHEN excluded.first_at < first_at THEN excluded.first_partner_id ELSE first_partner_id END,
  first_at = min(first_at, excluded.first_at),
  last_partner_id = CASE WHEN excluded.last_at >= last_at THEN excluded.last_partner_id ELSE last_partner_id END,
  last_at = max(last_at, excluded.last_at)`;

/** Whether a conversion counts for its customer (see customerUpsert). */
export const vouchedFor = (conv: Pick<ConversionRow, "source">, commission: Pick<CommissionRow, "status"> | null) =>
  conv.source === "postback" || (commission !== null && commission.status !== "hold" && commission.status !== "rejected");

const jsonText = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

type BatchStatement = ReturnType<Db["run"]>;

export const CONVERSION_COLUMNS = [
  "id", "program_id", "event", "order_id", "amount", "refunded", "currency", "source", "status", "reason", "partner_id", "link_id", "click_id",
  "click_ts", "via", "model", "cookie_days", "country", "device", "sub1", "partner_num", "link_num", "customer_id", "coupon",
  "customer_email_hash", "no_commission", "occurred_at", "change_token", "created_at",
] as const;

const tuple = (values: unknown[]): SQL => sql`(${sql.join(values.map((v) => sql`${v}`), sql`, `)})`;

/** `(values…)` of a commission row, in COMMISSION_COLUMNS order (conversion_id is the 4th). */
function commissionTuple(c: CommissionRow): SQL {
  return tuple([c.id, c.programId, c.partnerId, c.conversionId, c.ruleId, c.tierId, c.ruleType, c.ruleValue, c.amount, c.originalAmount, c.currency, c.status,
    c.availableAt, c.payoutId, jsonOrNull(c.flags), c.createdAt, c.updatedAt]);
}

export const COMMISSION_COLUMNS = [
  "id", "program_id", "partner_id", "conversion_id", "rule_id", "tier_id", "rule_type", "rule_value", "amount", "original_amount", "currency", "status",
  "available_at", "payout_id", "flags", "created_at", "updated_at",
] as const;

/** A JSON column's value for raw SQL (drizzle's builder would stringify it; raw arguments are not). */
export const jsonOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * A postback takes over a pixel-sourced conversion: the conversion is rewritten as the postback
 * decided it, the pixel's commission is replaced (or removed), the customer mapping learns from
 * it, and the report rows move from where the pixel put them to where the postback does. Every
 * write after the guarded conversion update runs only if that update won.
 */
export async function supersedePixel(
  db: Db,
  programNum: number,
  before: { conversion: ConversionRow; commission: CommissionRow | null },
  after: { conversion: ConversionRow; commission: CommissionRow | null },
  events: EventInput[] = [],
  now = Date.now(),
): Promise<boolean> {
  const token = newToken();
  const c = after.conversion;
  const won = sql`EXISTS (SELECT 1 FROM conversions WHERE id = ${c.id} AND change_token = ${token})`;
  const statements: [BatchStatement, ...BatchStatement[]] = [
    db.run(sql`UPDATE conversions SET amount = ${c.amount}, source = 'postback', status = ${c.status}, reason = ${c.reason}, partner_id = ${c.partnerId},
      link_id = ${c.linkId}, click_id = ${c.clickId}, click_ts = ${c.clickTs}, via = ${c.via}, model = ${c.model}, cookie_days = ${c.cookieDays}, country = ${c.country}, device = ${c.device},
      sub1 = ${c.sub1}, partner_num = ${c.partnerNum}, link_num = ${c.linkNum}, customer_id = ${c.customerId}, coupon = ${c.coupon},
      customer_email_hash = ${c.customerEmailHash}, no_commission = ${jsonOrNull(c.noCommission)}, occurred_at = ${c.occurredAt}, change_token = ${token}
      WHERE id = ${c.id} AND source = 'pixel'`),
  ];
  const old = before.commission;
  const next = after.commission;
  if (old && (!next || next.id !== old.id)) statements.push(db.run(sql`DELETE FROM commissions WHERE id = ${old.id} AND ${won}`));
  if (next && next.id === old?.id) {
    statements.push(db.run(sql`UPDATE commissions SET partner_id = ${next.partnerId}, amount = ${next.amount}, original_amount = ${next.originalAmount},
      available_at = ${next.availableAt}, rule_id = ${next.ruleId}, tier_id = ${next.tierId}, rule_type = ${next.ruleType}, rule_value = ${next.ruleValue}, status = ${next.status}, flags = ${jsonOrNull(next.flags)}, updated_at = ${next.updatedAt}
      WHERE id = ${next.id} AND ${won}`));
  } else if (next) {
    statements.push(db.run(sql`INSERT INTO commissions (${sql.raw(COMMISSION_COLUMNS.join(", "))}) SELECT * FROM (VALUES ${commissionTuple(next)}) WHERE ${won}`));
  }
  if (c.customerId && c.partnerId && vouchedFor(c, next)) statements.push(customerUpsert(db, c, won));
  statements.push(...statsDelta(db, statKeysOf(programNum, before.conversion), delta(NO_CONTRIBUTION, contribution(before.conversion, old)), won));
  statements.push(...statsDelta(db, statKeysOf(programNum, c), contribution(c, next), won));
  for (const e of events) statements.push(eventInsert(db, e, now, won) as BatchStatement);
  const [first] = await db.batch(statements);
  return first.rowsAffected === 1;
}

/**
 * Applies a refund atomically, if the conversion's `refunded` is still what the caller read
 * (optimistic concurrency). The follow-up writes run only if that update won: it stamps a fresh
 * change token, and they check for it, so no interactive transaction is needed.
 */
export async function applyRefund(
  db: Db,
  programNum: number,
  conv: ConversionRow,
  newRefunded: number,
  commission: { before: CommissionRow; amount: number; status: CommissionRow["status"] } | null,
  adjustment: { id: string; amount: number; partnerId: string } | null,
  now: number,
  events: Omit<EventInput, "vendorId">[] = [],
  /** more writes of the same transaction, made only if the refund is (`won` says so): e.g. the Stripe event that caused it */
  also: (won: SQL) => BatchItem<"sqlite">[] = () => [],
): Promise<boolean> {
  const token = newToken();
  const won = sql`EXISTS (SELECT 1 FROM conversions WHERE id = ${conv.id} AND change_token = ${token})`;
  const statements = [
    db.run(sql`UPDATE conversions SET refunded = ${newRefunded}, change_token = ${token} WHERE id = ${conv.id} AND refunded = ${conv.refunded}`),
  ];
  if (commission) {
    statements.push(db.run(sql`UPDATE commissions SET amount = ${commission.amount}, status = ${commission.status}, updated_at = ${now}
      WHERE id = ${commission.before.id} AND ${won}`));
  }
  if (commission && adjustment) {
    statements.push(db.run(sql`INSERT INTO adjustments (id, program_id, partner_id, commission_id, amount, currency, reason, payout_id, created_at)
      SELECT ${adjustment.id}, ${conv.programId}, ${adjustment.partnerId}, ${commission.before.id}, ${adjustment.amount}, ${conv.currency}, 'refund', NULL, ${now}
      WHERE ${won}`));
  }
  // the outbox rows (conversion.refunded, commission.updated) exist exactly when the refund does
  for (const e of events) {
    const r = eventRow({ ...e, vendorId: "" }, now);
    statements.push(db.run(sql`INSERT INTO events (id, vendor_id, program_id, type, action, actor_kind, actor_key_id, actor_partner_id, object_type, object_id, changes, data, created_at)
      SELECT ${r.id}, p.vendor_id, ${r.programId}, ${r.type}, ${r.action}, ${r.actorKind}, ${r.actorKeyId}, ${r.actorPartnerId}, ${r.objectType}, ${r.objectId},
        ${jsonText(r.changes)}, ${jsonText(r.data)}, ${r.createdAt}
      FROM programs p WHERE p.id = ${conv.programId} AND ${won}`));
  }
  const before = contribution(conv, commission?.before ?? null);
  const after = contribution({ ...conv, refunded: newRefunded }, commission ? { amount: commission.amount, status: commission.status } : null);
  statements.push(...statsDelta(db, statKeysOf(programNum, conv), delta(after, before), won));
  statements.push(...(also(won) as typeof statements));
  const [first] = await db.batch(statements as [(typeof statements)[0], ...typeof statements]);
  return first.rowsAffected === 1;
}

export async function findIdempotency(db: Db, programId: string, key: string) {
  const [row] = await db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.key, key)));
  return row ?? null;
}

/** Claims an idempotency key before the work; false when another request holds or used it. */
export async function claimIdempotency(db: Db, programId: string, key: string, requestHash: string, now: number): Promise<boolean> {
  const claimed = await db.insert(idempotencyKeys).values({ programId, key, requestHash, response: null, createdAt: now }).onConflictDoNothing().returning({ key: idempotencyKeys.key });
  return claimed.length === 1;
}

export async function saveIdempotentResponse(db: Db, programId: string, key: string, response: string) {
  await db.update(idempotencyKeys).set({ response }).where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.key, key)));
}

/** Frees a claimed key when the work failed, so the client can retry with it. */
export async function releaseIdempotency(db: Db, programId: string, key: string) {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.programId, programId), eq(idempotencyKeys.key, key), isNull(idempotencyKeys.response)));
}

/** Conversions of a vendor (or one partner), newest first, with filters. */
export async function listConversions(
  db: Db,
  filter: { vendorId?: string; programId?: string; partnerId?: string; status?: "attributed" | "unattributed"; orderId?: string; from?: number; to?: number },
  page: PageRequest,
) {
  const rows = await db
    .select({ c: conversions })
    .from(conversions)
    .innerJoin(programs, eq(programs.id, conversions.programId))
    .where(
      and(
        filter.vendorId ? eq(programs.vendorId, filter.vendorId) : undefined,
        filter.programId ? eq(conversions.programId, filter.programId) : undefined,
        filter.partnerId ? eq(conversions.partnerId, filter.partnerId) : undefined,
        filter.status ? eq(conversions.status, filter.status) : undefined,
        filter.orderId !== undefined ? eq(conversions.orderId, filter.orderId) : undefined,
        filter.from !== undefined ? gte(conversions.createdAt, filter.from) : undefined,
        filter.to !== undefined ? lt(conversions.createdAt, filter.to) : undefined,
        pageWhere(conversions.createdAt, conversions.id, page.cursor),
      ),
    )
    .orderBy(...pageOrder(conversions.createdAt, conversions.id))
    .limit(page.limit + 1);
  return toPage(rows.map((r) => r.c), page.limit);
}

/** Commissions of several conversions in one query (lists would otherwise read one per row). */
export async function commissionsOf(db: Db, conversionIds: string[]): Promise<Map<string, CommissionRow>> {
  if (conversionIds.length === 0) return new Map();
  const rows = await db.select().from(commissions).where(inArray(commissions.conversionId, conversionIds));
  return new Map(rows.map((r) => [r.conversionId, r]));
}

/**
 * What a partner recognises a commission by: the order, when it happened and the link (slug)
 * it came through, for several conversions in one query.
 */
export async function orderFactsOf(db: Db, conversionIds: string[]): Promise<Map<string, { orderId: string; occurredAt: number; linkId: string | null; slug: string | null }>> {
  if (conversionIds.length === 0) return new Map();
  const rows = await db
    .select({ id: conversions.id, orderId: conversions.orderId, occurredAt: conversions.occurredAt, linkId: conversions.linkId, slug: links.slug })
    .from(conversions)
    .leftJoin(links, eq(links.id, conversions.linkId))
    .where(inArray(conversions.id, conversionIds));
  return new Map(rows.map((r) => [r.id, { orderId: r.orderId, occurredAt: r.occurredAt, linkId: r.linkId, slug: r.slug }]));
}
