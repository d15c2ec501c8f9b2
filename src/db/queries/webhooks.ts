import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { InStatement, InValue } from "@libsql/client";
import { clientOf, type Db } from "../client";
import { commissions, conversions, events, webhookDeliveries, webhookEndpoints } from "../schema";
import { newId } from "../../domain/ids";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { eventInsert, PREVIOUS_CHANGED, writeWithEvent, type EventInput } from "./events";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type OutboxEvent = typeof events.$inferSelect;

/** The cursor (events rowid) up to which events have been fanned out into deliveries. */
const FANOUT_CURSOR = "webhooks.fanout";

/** (`event`: the manager's decision for the audit log, in the change's transaction; likewise below) */
export async function insertEndpoint(db: Db, row: EndpointRow, event: EventInput | null = null): Promise<EndpointRow> {
  await writeWithEvent(db, db.insert(webhookEndpoints).values(row), event, row.createdAt);
  return row;
}

export async function getVendorEndpoint(db: Db, vendorId: string, id: string): Promise<EndpointRow | null> {
  const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.vendorId, vendorId)));
  return row ?? null;
}

export async function listEndpoints(db: Db, vendorId: string, page: PageRequest) {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.vendorId, vendorId), pageWhere(webhookEndpoints.createdAt, webhookEndpoints.id, page.cursor)))
    .orderBy(...pageOrder(webhookEndpoints.createdAt, webhookEndpoints.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function updateEndpoint(db: Db, id: string, set: Partial<EndpointRow> & { updatedAt: number }, event: EventInput | null = null): Promise<EndpointRow | null> {
  const [row] = await writeWithEvent(db, db.update(webhookEndpoints).set(set).where(eq(webhookEndpoints.id, id)).returning(), event, set.updatedAt);
  return row ?? null;
}

/** An endpoint and its delivery log go together. */
export async function deleteEndpoint(db: Db, id: string, event: EventInput | null = null, now = 0): Promise<void> {
  await db.batch([
    db.delete(webhookDeliveries).where(and(eq(webhookDeliveries.kind, "webhook"), eq(webhookDeliveries.targetId, id))),
    db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
    ...(event ? [eventInsert(db, event, now, PREVIOUS_CHANGED)] : []),
  ]);
}

/** The rowid range of events a fan-out covers next (at most `maxEvents`), or null when there is none. */
export interface FanOutRange {
  from: number;
  upTo: number;
}

export async function nextFanOutRange(db: Db, maxEvents = 1000): Promise<FanOutRange | null> {
  const [cursorRow] = await db.all<{ value: number }>(sql`SELECT value FROM cursors WHERE name = ${FANOUT_CURSOR}`);
  // No target was ever set: nothing to deliver (setting one starts the cursor). Reads only, so an
  // idle job never takes the write lock (a locked database would stall the Node event loop).
  if (!cursorRow) return null;
  const from = cursorRow.value;
  const [top] = await db.all<{ top: number | null }>(sql`SELECT max(rowid) AS top FROM events`);
  const upTo = Math.min(top?.top ?? 0, from + maxEvents);
  return upTo > from ? { from, upTo } : null;
}

/**
 * The events of a range that an endpoint will be sent but that carry no object yet: a new
 * conversion and its commission write their events bare (the tracking path's group commit is
 * the hottest write, and the objects cost more to build than to store), and the fan-out
 * fills them in before the first attempt, so every attempt sends the same body.
 */
export async function bareEvents(db: Db, range: FanOutRange) {
  return db.all<{ id: string; objectType: string; objectId: string }>(sql`SELECT ev.id, ev.object_type AS objectType, ev.object_id AS objectId
    FROM events ev
    WHERE ev.rowid > ${range.from} AND ev.rowid <= ${range.upTo} AND ev.type IS NOT NULL AND ev.data IS NULL
      AND ev.object_type IN ('conversion', 'commission')
      AND EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.vendor_id = ev.vendor_id AND w.enabled = 1)`);
}

/** The conversions and commissions that bare events name, by id. */
export async function bareEventObjects(db: Db, conversionIds: string[], commissionIds: string[]) {
  const [convRows, commRows] = await Promise.all([
    conversionIds.length ? db.select().from(conversions).where(inArray(conversions.id, conversionIds)) : Promise.resolve([]),
    conversionIds.length || commissionIds.length
      ? db.select().from(commissions).where(or(inArray(commissions.conversionId, conversionIds), inArray(commissions.id, commissionIds)))
      : Promise.resolve([]),
  ]);
  return { conversions: convRows, commissions: commRows };
}

/** Fills in bare events (only while still bare: a concurrent fan-out's fill stands). */
export async function fillEventData(db: Db, filled: { id: string; data: unknown }[]): Promise<void> {
  if (filled.length === 0) return;
  const args: InValue[] = filled.flatMap((f) => [f.id, JSON.stringify(f.data)]);
  await clientOf(db).execute({
    sql: `UPDATE events SET data = v.column2 FROM (VALUES ${filled.map(() => "(?, ?)").join(", ")}) AS v WHERE events.id = v.column1 AND events.data IS NULL`,
    args,
  });
}

/**
 * Fans the events written since the last call out into first attempts, set-based: one insert
 * for the webhook endpoints whose filter matches, one for the postbacks of attributed
 * conversions, and the cursor moved, in one transaction. The cursor is the events' rowid, which
 * SQLite hands out under the write lock, so it grows in commit order: no event committed behind
 * it can be skipped. A concurrent run inserts the same (target, event, attempt 1) and is ignored.
 * Returns how many events were covered. (Bare events are filled in first: `bareEvents`.)
 */
export async function fanOut(db: Db, now: number, { from, upTo }: FanOutRange): Promise<number> {
  const id = sql`'whd_' || lower(hex(randomblob(10)))`;
  await db.batch([
    db.run(sql`INSERT OR IGNORE INTO webhook_deliveries (id, kind, target_id, vendor_id, event_id, event_type, attempt, status, due_at, created_at)
      SELECT ${id}, 'webhook', w.id, ev.vendor_id, ev.id, ev.type, 1, 'pending', ${now}, ${now}
      FROM events ev
      JOIN webhook_endpoints w ON w.vendor_id = ev.vendor_id AND w.enabled = 1 AND (w.program_id IS NULL OR w.program_id = ev.program_id)
      WHERE ev.rowid > ${from} AND ev.rowid <= ${upTo} AND ev.type IS NOT NULL
        AND EXISTS (SELECT 1 FROM json_each(w.events) j WHERE j.value = '*' OR j.value = ev.type)`),
    db.run(sql`INSERT OR IGNORE INTO webhook_deliveries (id, kind, target_id, vendor_id, event_id, event_type, attempt, status, due_at, created_at)
      SELECT ${id}, 'postback', p.id, ev.vendor_id, ev.id, ev.type, 1, 'pending', ${now}, ${now}
      FROM events ev
      JOIN conversions c ON c.id = ev.object_id
      JOIN partners p ON p.id = c.partner_id
      WHERE ev.rowid > ${from} AND ev.rowid <= ${upTo} AND ev.type = 'conversion.created' AND c.status = 'attributed' AND p.postback_url IS NOT NULL`),
    db.run(sql`INSERT INTO cursors (name, value) VALUES (${FANOUT_CURSOR}, ${upTo})
      ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`),
  ]);
  return upTo - from;
}

/**
 * Starts the fan-out at the newest event when it has never run: called when the first target
 * (an endpoint, a postback URL) is set, so that history is not replayed to it.
 */
export async function ensureFanOutCursor(db: Db): Promise<void> {
  await db.run(sql`INSERT INTO cursors (name, value) SELECT ${FANOUT_CURSOR}, coalesce(max(rowid), 0) FROM events WHERE 1 ON CONFLICT DO NOTHING`);
}

/** Leases up to `limit` due attempts (none another runner holds) and returns them. */
export async function claimDue(db: Db, now: number, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
  // a read first: the common idle run takes no write lock
  const [any] = await db.all<{ one: number }>(sql`SELECT 1 AS one FROM webhook_deliveries WHERE status = 'pending' AND due_at <= ${now}
    AND (lease_until IS NULL OR lease_until <= ${now}) LIMIT 1`);
  if (!any) return [];
  return db.all<DeliveryRow>(sql`UPDATE webhook_deliveries SET lease_until = ${now + leaseMs}
    WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND due_at <= ${now} AND (lease_until IS NULL OR lease_until <= ${now})
      ORDER BY due_at LIMIT ${limit})
    RETURNING id, kind, target_id AS targetId, vendor_id AS vendorId, event_id AS eventId, event_type AS eventType, attempt, status, due_at AS dueAt,
      lease_until AS leaseUntil, url, at, status_code AS statusCode, duration_ms AS durationMs, error, response_excerpt AS responseExcerpt,
      next_attempt_at AS nextAttemptAt, created_at AS createdAt`);
}

/** The events and endpoints of a group of leased attempts, two reads for the whole group. */
export async function attemptContext(db: Db, due: DeliveryRow[]) {
  const eventIds = [...new Set(due.map((d) => d.eventId))];
  const endpointIds = [...new Set(due.filter((d) => d.kind === "webhook").map((d) => d.targetId))];
  const [eventRows, endpointRows] = await Promise.all([
    eventIds.length ? db.select().from(events).where(inArray(events.id, eventIds)) : Promise.resolve([]),
    endpointIds.length ? db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, endpointIds)) : Promise.resolve([]),
  ]);
  return { events: new Map(eventRows.map((e) => [e.id, e])), endpoints: new Map(endpointRows.map((e) => [e.id, e])) };
}

export async function getEvent(db: Db, id: string): Promise<OutboxEvent | null> {
  const [row] = await db.select().from(events).where(eq(events.id, id));
  return row ?? null;
}

export async function getEndpoint(db: Db, id: string): Promise<EndpointRow | null> {
  const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  return row ?? null;
}

export interface AttemptResult {
  at: number;
  url: string | null;
  statusCode: number | null;
  durationMs: number | null;
  error: string | null;
  responseExcerpt: string | null;
  ok: boolean;
}

/** What one attempt gave, the attempt after it (when due) and its endpoint's failing state. */
export interface AttemptRecord {
  d: DeliveryRow;
  r: AttemptResult;
  next: number | null;
  endpoint: { failingSince: number | null; disable: boolean } | null;
}

/**
 * What a group of attempts gave, in one batch: each attempt row closed (only while still
 * pending: a runner whose lease expired and was overtaken records nothing twice), the next
 * attempt of each that failed with one left, and the endpoints' failing state (disabled once
 * `disable`).
 */
export async function recordAttempts(db: Db, records: AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  // Plain SQL, one multi-row statement each: this runs for every delivery (hundreds a second).
  const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
  const rows = (count: number, width: number) => Array.from({ length: count }, () => `(${marks(width)})`).join(", ");
  const closeArgs: InValue[] = [];
  for (const { d, r, next } of records) {
    closeArgs.push(d.id, r.ok ? "succeeded" : "failed", r.at, r.url, r.statusCode, r.durationMs, r.error, r.responseExcerpt, r.ok ? null : next);
  }
  const statements: InStatement[] = [{
    sql: `UPDATE webhook_deliveries SET status = v.column2, at = v.column3, url = v.column4, status_code = v.column5, duration_ms = v.column6,
        error = v.column7, response_excerpt = v.column8, next_attempt_at = v.column9, lease_until = NULL
      FROM (VALUES ${rows(records.length, 9)}) AS v WHERE webhook_deliveries.id = v.column1 AND webhook_deliveries.status = 'pending'`,
    args: closeArgs,
  }];
  const retries = records.filter((x) => !x.r.ok && x.next !== null);
  if (retries.length > 0) {
    const args: InValue[] = [];
    for (const { d, r, next } of retries) args.push(newId("whd"), d.kind, d.targetId, d.vendorId, d.eventId, d.eventType, d.attempt + 1, next, d.id, r.at);
    // only after an attempt this run closed (a runner overtaken after its lease writes none)
    statements.push({
      sql: `INSERT OR IGNORE INTO webhook_deliveries (id, kind, target_id, vendor_id, event_id, event_type, attempt, status, due_at, created_at)
        SELECT column1, column2, column3, column4, column5, column6, column7, 'pending', column8, column8 FROM (VALUES ${rows(retries.length, 10)}) AS v
        WHERE EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.id = v.column9 AND w.at = v.column10 AND w.status = 'failed')`,
      args,
    });
  }
  for (const { d, r, endpoint } of records) {
    if (!endpoint || d.kind !== "webhook") continue;
    statements.push(endpoint.disable
      ? { sql: "UPDATE webhook_endpoints SET failing_since = ?, enabled = 0, disabled_reason = 'failing', disabled_at = ?, updated_at = ? WHERE id = ?", args: [endpoint.failingSince, r.at, r.at, d.targetId] }
      : { sql: "UPDATE webhook_endpoints SET failing_since = ? WHERE id = ?", args: [endpoint.failingSince, d.targetId] });
  }
  await clientOf(db).batch(statements, "write");
}

/**
 * The delivery log of one target (endpoint or partner), newest first. A scheduled retry is
 * dated when it is due (its created_at), so it sorts above the attempt that failed.
 */
export async function listDeliveries(db: Db, kind: DeliveryRow["kind"], targetId: string, page: PageRequest) {
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.kind, kind), eq(webhookDeliveries.targetId, targetId), pageWhere(webhookDeliveries.createdAt, webhookDeliveries.id, page.cursor)))
    .orderBy(...pageOrder(webhookDeliveries.createdAt, webhookDeliveries.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}

export async function getVendorDelivery(db: Db, vendorId: string, id: string): Promise<DeliveryRow | null> {
  const [row] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.vendorId, vendorId)));
  return row ?? null;
}

/**
 * Sends an event to a target again at once: the pending attempt of that event is made due now,
 * or (none pending) a new attempt after the last one is queued. Returns the pending attempt.
 */
export async function queueRetry(db: Db, d: DeliveryRow, now: number): Promise<DeliveryRow> {
  const same = and(eq(webhookDeliveries.targetId, d.targetId), eq(webhookDeliveries.eventId, d.eventId));
  const [pending] = await db.update(webhookDeliveries).set({ dueAt: now, leaseUntil: null }).where(and(same, eq(webhookDeliveries.status, "pending"))).returning();
  if (pending) return pending;
  const [last] = await db.all<{ n: number }>(sql`SELECT max(attempt) AS n FROM webhook_deliveries WHERE target_id = ${d.targetId} AND event_id = ${d.eventId}`);
  const row: DeliveryRow = {
    id: newId("whd"), kind: d.kind, targetId: d.targetId, vendorId: d.vendorId, eventId: d.eventId, eventType: d.eventType, attempt: (last?.n ?? d.attempt) + 1,
    status: "pending", dueAt: now, leaseUntil: null, url: null, at: null, statusCode: null, durationMs: null, error: null, responseExcerpt: null, nextAttemptAt: null, createdAt: now,
  };
  await db.insert(webhookDeliveries).values(row).onConflictDoNothing();
  return row;
}

/** A test event goes through the same queue: its own outbox row (type `webhook.test`, sent only to this endpoint). */
export async function queueTestEvent(db: Db, endpoint: EndpointRow, eventRow: OutboxEvent, now: number): Promise<DeliveryRow> {
  const row: DeliveryRow = {
    id: newId("whd"), kind: "webhook", targetId: endpoint.id, vendorId: endpoint.vendorId, eventId: eventRow.id, eventType: "webhook.test", attempt: 1,
    status: "pending", dueAt: now, leaseUntil: null, url: null, at: null, statusCode: null, durationMs: null, error: null, responseExcerpt: null, nextAttemptAt: null, createdAt: now,
  };
  await db.batch([db.insert(events).values(eventRow), db.insert(webhookDeliveries).values(row)]);
  return row;
}

/** What a partner's postback may say about one conversion: the conversion, its commission and its click's sub ids. */
export async function postbackFacts(db: Db, conversionId: string) {
  const [row] = await db.all<{
    clickId: string | null; orderId: string; event: string; amount: number; currency: string; commission: number | null; status: string | null;
    sub1: string | null; sub2: string | null; sub3: string | null; sub4: string | null; sub5: string | null; postbackUrl: string | null;
  }>(sql`SELECT c.click_id AS clickId, c.order_id AS orderId, c.event, c.amount, c.currency, m.amount AS commission, m.status,
      coalesce(k.sub1, c.sub1) AS sub1, k.sub2, k.sub3, k.sub4, k.sub5, p.postback_url AS postbackUrl
    FROM conversions c
    LEFT JOIN commissions m ON m.conversion_id = c.id
    LEFT JOIN clicks k ON k.id = c.click_id
    LEFT JOIN partners p ON p.id = c.partner_id
    WHERE c.id = ${conversionId}`);
  return row ?? null;
}
