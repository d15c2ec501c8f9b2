import { sql } from "drizzle-orm";
import { index, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";

export const ACTOR_KINDS = ["vendor", "partner", "operator", "system"] as const;

/**
 * The one outbox: every change a manager, a partner or the system makes is a row here, written
 * in the same batch (transaction) as the change. The audit log, webhooks, partner postbacks and
 * e-mail are all readers of these rows; each reader keeps its own cursor or delivery table, so
 * this table is append-only and says nothing about delivery.
 */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    vendorId: text("vendor_id").notNull(),
    /** null for vendor-wide objects (admin keys) */
    programId: text("program_id"),
    /** the outbound event name (`commission.updated`, `partner.created`…); null when no webhook event fits */
    type: text("type"),
    /** the audit action (`commission.approve`, `rule.update`…); null for events that are not a decision */
    action: text("action"),
    actorKind: text("actor_kind", { enum: ACTOR_KINDS }).notNull(),
    /** the key that made the change (its row id, never its secret), when a key did */
    actorKeyId: text("actor_key_id"),
    /** the partner that made the change, when a partner did */
    actorPartnerId: text("actor_partner_id"),
    objectType: text("object_type").notNull(),
    objectId: text("object_id").notNull(),
    /** {field: [before, after]}; never a secret or a key hash */
    changes: text("changes", { mode: "json" }).$type<Record<string, [unknown, unknown]>>(),
    /** the object as the API shows it, for webhooks; null for audit-only actions */
    data: text("data", { mode: "json" }).$type<unknown>(),
    createdAt: createdAt(),
  },
  (t) => [
    // Only the audit log reads by program, object or vendor, and only rows with an action: the
    // outbox rows of new conversions (thousands a second, no action) stay out of these indexes,
    // and the webhook fan-out reads by rowid. (Their entries cost more than the rows themselves.)
    index("events_program_idx").on(t.programId, t.createdAt, t.id).where(sql`action IS NOT NULL`),
    index("events_object_idx").on(t.objectId, t.createdAt, t.id).where(sql`action IS NOT NULL`),
    index("events_vendor_idx").on(t.vendorId, t.createdAt, t.id).where(sql`action IS NOT NULL`),
  ],
);
