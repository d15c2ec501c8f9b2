import { jsonOrNull } from "./conversions";
import { and, eq, gte, isNotNull, lt, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import { events } from "../schema";
import { newTimeOrderedId } from "../../domain/ids";
import type { Actor, Changes } from "../../domain/audit";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";

export type EventRow = typeof events.$inferSelect;

/**
 * One event of the outbox: what changed (object), who changed it (actor), the audit action and
 * the outbound event type (either may be null), the field diff and the object as the API shows it.
 */
export interface EventInput {
  vendorId: string;
  programId: string | null;
  /** outbound event name (`partner.updated`); null when no webhook event fits the change */
  type?: string | null;
  /** audit action (`partner.update`); null when the change is not someone's decision */
  action?: string | null;
  actor: Actor;
  object: { type: string; id: string };
  changes?: Changes | null;
  data?: unknown;
}

export function eventRow(e: EventInput, now: number): EventRow {
  return {
    id: newTimeOrderedId("evt", now), vendorId: e.vendorId, programId: e.programId, type: e.type ?? null, action: e.action ?? null,
    actorKind: e.actor.kind,
    actorKeyId: "keyId" in e.actor ? e.actor.keyId ?? null : null,
    actorPartnerId: e.actor.kind === "partner" ? e.actor.partnerId : null,
    objectType: e.object.type, objectId: e.object.id,
    changes: e.changes ?? null, data: e.data ?? null, createdAt: now,
  };
}


/**
 * The statement that writes an event, to put in the same `db.batch` as the change it records (a
 * batch is one transaction: the event exists if and only if the change does). `when` makes it
 * conditional on the batch's earlier statements, e.g. `PREVIOUS_CHANGED` or a change token.
 */
export function eventInsert(db: Db, e: EventInput, now: number, when?: SQL): BatchItem<"sqlite"> {
  const r = eventRow(e, now);
  return db.run(sql`INSERT INTO events (id, vendor_id, program_id, type, action, actor_kind, actor_key_id, actor_partner_id, object_type, object_id, changes, data, created_at)
    SELECT ${r.id}, ${r.vendorId}, ${r.programId}, ${r.type}, ${r.action}, ${r.actorKind}, ${r.actorKeyId}, ${r.actorPartnerId}, ${r.objectType}, ${r.objectId}, ${jsonOrNull(r.changes)}, ${jsonOrNull(r.data)}, ${r.createdAt}
    WHERE ${when ?? sql`1`}`);
}

/** True when the statement just before in the batch changed a row (SQLite's `changes()`). */
export const PREVIOUS_CHANGED = sql`changes() > 0`;

/** A write and the event that records it, as one transaction; the write's result. */
export async function writeWithEvent<T extends BatchItem<"sqlite">>(db: Db, write: T, e: EventInput | null, now: number, when: SQL = PREVIOUS_CHANGED) {
  if (!e) return (await db.batch([write]))[0] as Awaited<T>;
  const [result] = await db.batch([write, eventInsert(db, e, now, when)]);
  return result as Awaited<T>;
}

/** An event on its own (a change that is already one statement of its own batch elsewhere). */
export async function recordEvent(db: Db, e: EventInput, now: number): Promise<void> {
  await db.batch([eventInsert(db, e, now)]);
}

export interface AuditFilter {
  vendorId: string;
  programId?: string | undefined;
  objectId?: string | undefined;
  /** inclusive, ms */
  from?: number | undefined;
  /** exclusive, ms */
  to?: number | undefined;
}

/** The audit log: the decisions (events with an action) of a vendor, newest first, by keyset. */
export async function listAudit(db: Db, f: AuditFilter, page: PageRequest) {
  const rows = await db
    .select()
    .from(events)
    .where(and(
      eq(events.vendorId, f.vendorId), isNotNull(events.action),
      f.programId !== undefined ? eq(events.programId, f.programId) : undefined,
      f.objectId !== undefined ? eq(events.objectId, f.objectId) : undefined,
      f.from !== undefined ? gte(events.createdAt, f.from) : undefined,
      f.to !== undefined ? lt(events.createdAt, f.to) : undefined,
      pageWhere(events.createdAt, events.id, page.cursor),
    ))
    .orderBy(...pageOrder(events.createdAt, events.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
