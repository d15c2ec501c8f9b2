import type { InStatement, InValue } from "@libsql/client";
import { COUNTED_COMMISSION_STATUSES } from "../../domain/reporting";
import type { GroupPlan } from "../groupCommit";
import { COMMISSION_COLUMNS, CONVERSION_COLUMNS, CUSTOMER_MERGE, jsonOrNull, vouchedFor, type CommissionRow, type ConversionRow } from "./conversions";
import { ALL_PARTNERS, isProgramWide } from "./stats";
import type { EventRow } from "./events";

/** A new conversion waiting for its group commit; `clickDims` asks to copy country, device and sub1 from its stored click. */
export interface NewConversion {
  conversion: ConversionRow;
  commission: CommissionRow | null;
  clickDims: boolean;
  /** outbox rows of this conversion (`conversion.created`, `commission.created`), written only when it is */
  events?: EventRow[];
}

/**
 * How new conversions are written, a group at a time, in one transaction of a few statements:
 * one multi-row insert of the conversions (a row whose key exists is skipped: a replay or a
 * concurrent twin), one of their commissions, the report dimensions copied from their clicks,
 * their customer mappings, and one set-based fold into the report rows. Every write after the
 * first only touches conversions that this group inserted (their fresh ids exist), so a job
 * that lost its key race writes nothing. Works the same over HTTP to Turso (no interactive
 * transaction). The result of a job is whether it created its conversion.
 *
 * Plain SQL text with `?` arguments rather than drizzle's builder: this is the hottest write
 * (hundreds of values per group), and building it through the builder cost as much as running it.
 */
export const newConversionsPlan: GroupPlan<NewConversion, boolean> = {
  statements(jobs) {
    const statements: [InStatement, ...InStatement[]] = [insertConversions(jobs)];
    const withCommission = jobs.filter((j) => j.commission);
    if (withCommission.length > 0) statements.push(insertCommissions(withCommission.map((j) => j.commission!)));
    const events = jobs.flatMap((j) => (j.events ?? []).map((e) => ({ e, conversionId: j.conversion.id })));
    if (events.length > 0) statements.push(insertEvents(events));
    const needDims = jobs.filter((j) => j.clickDims && j.conversion.clickId);
    if (needDims.length > 0) {
      statements.push({
        sql: `UPDATE conversions SET country = k.country, device = k.device, sub1 = k.sub1
          FROM clicks k WHERE k.id = conversions.click_id AND conversions.id IN (${marks(needDims.length)})`,
        args: needDims.map((j) => j.conversion.id),
      });
    }
    const customers = jobs.filter((j) => j.conversion.customerId && j.conversion.partnerId && vouchedFor(j.conversion, j.commission));
    if (customers.length > 0) statements.push(upsertCustomers(customers.map((j) => j.conversion)));
    statements.push({ sql: `${CONVERSION_FOLD} WHERE c.id IN (${marks(jobs.length)}) AND c.status = 'attributed' ${FOLD_TAIL}`, args: jobs.map((j) => j.conversion.id) });
    return statements;
  },
  results(jobs, results) {
    const created = new Set(results[0]!.rows.map((r) => String(r[0])));
    return jobs.map((j) => created.has(j.conversion.id));
  },
};

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
const rows = (count: number, width: number) => Array.from({ length: count }, () => `(${marks(width)})`).join(", ");

function insertConversions(jobs: NewConversion[]): InStatement {
  const args: InValue[] = [];
  for (const { conversion: c } of jobs) {
    args.push(c.id, c.programId, c.event, c.orderId, c.amount, c.refunded, c.currency, c.source, c.status, c.reason, c.partnerId, c.linkId, c.clickId,
      c.clickTs, c.via, c.model, c.cookieDays, c.country, c.device, c.sub1, c.partnerNum, c.linkNum, c.customerId, c.coupon,
      c.customerEmailHash, jsonOrNull(c.noCommission), c.occurredAt, c.changeToken, c.createdAt);
  }
  return {
    sql: `INSERT INTO conversions (${CONVERSION_COLUMNS.join(", ")}) VALUES ${rows(jobs.length, CONVERSION_COLUMNS.length)} ON CONFLICT DO NOTHING RETURNING id`,
    args,
  };
}

/** Only for conversions this group inserted (column4 is conversion_id). */
function insertCommissions(list: CommissionRow[]): InStatement {
  const args: InValue[] = [];
  for (const c of list) {
    args.push(c.id, c.programId, c.partnerId, c.conversionId, c.ruleId, c.tierId, c.ruleType, c.ruleValue, c.amount, c.originalAmount, c.currency, c.status, c.availableAt, c.payoutId,
      jsonOrNull(c.flags), c.createdAt, c.updatedAt);
  }
  return {
    sql: `INSERT INTO commissions (${COMMISSION_COLUMNS.join(", ")}) SELECT * FROM (VALUES ${rows(list.length, COMMISSION_COLUMNS.length)}) AS v
      WHERE EXISTS (SELECT 1 FROM conversions c WHERE c.id = v.column4)`,
    args,
  };
}

const EVENT_COLUMNS = "id, vendor_id, program_id, type, action, actor_kind, actor_key_id, actor_partner_id, object_type, object_id, changes, data, created_at";

/**
 * The outbox rows of the group, one multi-row insert, only for conversions this group inserted
 * (column14 is the conversion id): a job that lost its key race records no event either.
 */
function insertEvents(list: { e: EventRow; conversionId: string }[]): InStatement {
  const args: InValue[] = [];
  for (const { e, conversionId } of list) {
    args.push(e.id, e.vendorId, e.programId, e.type, e.action, e.actorKind, e.actorKeyId, e.actorPartnerId, e.objectType, e.objectId,
      jsonOrNull(e.changes), jsonOrNull(e.data), e.createdAt, conversionId);
  }
  return {
    sql: `INSERT INTO events (${EVENT_COLUMNS}) SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10, column11, column12, column13
      FROM (VALUES ${rows(list.length, 14)}) AS v WHERE EXISTS (SELECT 1 FROM conversions c WHERE c.id = v.column14)`,
    args,
  };
}

/** Rows are merged one after the other, so two sales of one customer in a group both count. */
function upsertCustomers(list: ConversionRow[]): InStatement {
  const args: InValue[] = [];
  for (const c of list) args.push(c.programId, c.customerId, c.partnerId, c.occurredAt, c.partnerId, c.occurredAt, c.id);
  return {
    sql: `INSERT INTO customers (program_id, external_id, first_partner_id, first_at, last_partner_id, last_at)
      SELECT column1, column2, column3, column4, column5, column6 FROM (VALUES ${rows(list.length, 7)}) AS v
      WHERE EXISTS (SELECT 1 FROM conversions c WHERE c.id = v.column7)
      ${CUSTOMER_MERGE}`,
    args,
  };
}

/**
 * The report rows of new conversions, from the stored rows themselves (what statsDeltaStatement
 * adds for one conversion, for a group at once): every dimension, and the program-wide rows.
 */
const CONVERSION_FOLD = `INSERT INTO daily_stats (program_num, dim, day, partner_num, key, conversions, revenue, commission)
  SELECT p.num, d.dim, c.occurred_at / 86400000,
    CASE WHEN d.everyone = 1 THEN ${ALL_PARTNERS} ELSE coalesce(c.partner_num, 0) END,
    CASE d.dim WHEN 'total' THEN '' WHEN 'link' THEN coalesce(CAST(c.link_num AS TEXT), '') WHEN 'country' THEN coalesce(c.country, '')
      WHEN 'device' THEN coalesce(c.device, '') ELSE coalesce(c.sub1, '') END,
    count(*), sum(c.amount - c.refunded),
    sum(CASE WHEN m.status IN (${COUNTED_COMMISSION_STATUSES.map((s) => `'${s}'`).join(", ")}) THEN m.amount ELSE 0 END)
  FROM conversions c
  JOIN programs p ON p.id = c.program_id
  LEFT JOIN commissions m ON m.conversion_id = c.id
  CROSS JOIN (${["total", "link", "country", "device", "sub1"]
    .flatMap((dim) => [`SELECT '${dim}' AS dim, 0 AS everyone`, ...(isProgramWide(dim) ? [`SELECT '${dim}', 1`] : [])])
    .join(" UNION ALL ")}) AS d`;

const FOLD_TAIL = `GROUP BY p.num, d.dim, c.occurred_at / 86400000, 4, 5
  ON CONFLICT (program_num, dim, day, partner_num, key) DO UPDATE SET
    conversions = conversions + excluded.conversions, revenue = revenue + excluded.revenue, commission = commission + excluded.commission`;
