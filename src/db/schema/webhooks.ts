import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";

/**
 * A vendor's webhook endpoint (optionally one program's). The signing secret must stay usable
 * (every delivery is signed with it) yet never be stored in plain text: it is sealed with
 * AES-GCM under a key derived from the server secret (src/domain/secretBox.ts). During a
 * rotation the previous secret keeps signing until `previousSecretUntil`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    vendorId: text("vendor_id").notNull(),
    /** null: every program of the vendor */
    programId: text("program_id"),
    url: text("url").notNull(),
    /** event types, or ["*"] */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    secretSealed: text("secret_sealed").notNull(),
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretUntil: integer("previous_secret_until"),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** why the endpoint is disabled: `failing` (every attempt failed for 5 days) or `manual` */
    disabledReason: text("disabled_reason"),
    disabledAt: integer("disabled_at"),
    /** first failed attempt since the last success; null when the last attempt succeeded */
    failingSince: integer("failing_since"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_vendor_idx").on(t.vendorId, t.createdAt, t.id)],
);

export const DELIVERY_KINDS = ["webhook", "postback"] as const;
export const DELIVERY_STATUSES = ["pending", "succeeded", "failed"] as const;

/**
 * One attempt to deliver one event to one target (a webhook endpoint, or a partner's postback
 * URL): the delivery log. Attempt 1 is written when the event is fanned out; a failed attempt
 * writes the next one (due after the retry schedule) in the same batch. A pending attempt is
 * leased while it is being sent; a process that dies meanwhile leaves the lease to expire, and
 * the attempt is sent again with the same `webhook-id` (the event id).
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: DELIVERY_KINDS }).notNull(),
    /** the endpoint id (webhook) or the partner id (postback) */
    targetId: text("target_id").notNull(),
    vendorId: text("vendor_id").notNull(),
    eventId: text("event_id").notNull(),
    eventType: text("event_type").notNull(),
    attempt: integer("attempt").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    dueAt: integer("due_at").notNull(),
    leaseUntil: integer("lease_until"),
    /** the URL requested (a postback's template with its macros filled in) */
    url: text("url"),
    /** when the attempt was made */
    at: integer("at"),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms"),
    error: text("error"),
    responseExcerpt: text("response_excerpt"),
    /** a failed attempt: when the next one is due (null: no more attempts) */
    nextAttemptAt: integer("next_attempt_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_attempt_uq").on(t.targetId, t.eventId, t.attempt),
    index("webhook_deliveries_due_idx").on(t.status, t.dueAt),
    index("webhook_deliveries_target_idx").on(t.targetId, t.createdAt, t.id),
  ],
);
