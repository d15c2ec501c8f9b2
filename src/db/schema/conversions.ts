import { sql } from "drizzle-orm";
import type { NoCommission } from "../../domain/commission";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { programs, RULE_EVENTS } from "./programs";

/** `deal`: a registered deal marked won (orderId "deal:" + its id). */
export const CONVERSION_SOURCES = ["postback", "pixel", "deal"] as const;
export type ConversionSource = (typeof CONVERSION_SOURCES)[number];
export const ATTRIBUTION_VIA = ["click", "customer", "coupon", "deal"] as const;
export type AttributionVia = (typeof ATTRIBUTION_VIA)[number];
export const UNATTRIBUTED_REASONS = [
  "no_identifier",
  "click_unknown",
  "click_expired",
  "click_other_program",
  "bot_click",
  "customer_unknown",
  "coupon_unknown",
  /** the partner it would go to is deactivated or banned */
  "partner_inactive",
] as const;
export type UnattributedReason = (typeof UNATTRIBUTED_REASONS)[number];

export const conversions = sqliteTable(
  "conversions",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    event: text("event", { enum: RULE_EVENTS }).notNull(),
    orderId: text("order_id").notNull(),
    amount: integer("amount").notNull(),
    refunded: integer("refunded").notNull(),
    currency: text("currency").notNull(),
    source: text("source", { enum: CONVERSION_SOURCES }).notNull(),
    status: text("status", { enum: ["attributed", "unattributed"] }).notNull(),
    reason: text("reason", { enum: UNATTRIBUTED_REASONS }),
    partnerId: text("partner_id"),
    linkId: text("link_id"),
    clickId: text("click_id"),
    clickTs: integer("click_ts"),
    via: text("via", { enum: ATTRIBUTION_VIA }),
    model: text("model").notNull(),
    /** the program's window when this conversion was attributed (explanations stay true later) */
    cookieDays: integer("cookie_days"),
    /** report dimensions, copied from the click at creation (null when unknown) */
    country: text("country"),
    device: text("device"),
    sub1: text("sub1"),
    partnerNum: integer("partner_num"),
    linkNum: integer("link_num"),
    customerId: text("customer_id"),
    coupon: text("coupon"),
    /** keyed hash of the customer's e-mail (the raw address is never stored); for self-referral checks */
    customerEmailHash: text("customer_email_hash"),
    /** why an attributed conversion earned nothing though a rule matched, as decided at creation */
    noCommission: text("no_commission", { mode: "json" }).$type<NoCommission>(),
    occurredAt: integer("occurred_at").notNull(),
    /** set by every update; batched follow-up writes run only if their update won (no races) */
    changeToken: text("change_token"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("conversions_key_uq").on(t.programId, t.event, t.orderId),
    index("conversions_program_idx").on(t.programId, t.createdAt),
    index("conversions_partner_idx").on(t.partnerId, t.createdAt),
    index("conversions_customer_idx").on(t.programId, t.customerId, t.clickTs),
    // Covering for the tier metrics (settle): a window of conversions is read from the index alone.
    index("conversions_occurred_idx").on(t.programId, t.occurredAt, t.status, t.partnerId, t.amount, t.refunded),
    // A partner's journey (first conversion, active months, KPIs): a few seeks per partner instead
    // of a pass over every conversion of the program (2 s on a million, bench prm).
    index("conversions_partner_occurred_idx").on(t.partnerId, t.occurredAt).where(sql`status = 'attributed'`),
  ],
);

/** Maps a vendor's customer to the partners of its attributed conversions (lifetime). */
export const customers = sqliteTable(
  "customers",
  {
    programId: text("program_id").notNull(),
    externalId: text("external_id").notNull(),
    firstPartnerId: text("first_partner_id").notNull(),
    firstAt: integer("first_at").notNull(),
    lastPartnerId: text("last_partner_id").notNull(),
    lastAt: integer("last_at").notNull(),
  },
  (t) => [uniqueIndex("customers_key_uq").on(t.programId, t.externalId)],
);

/** Replays of requests sent with an Idempotency-Key header answer as the first time. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    programId: text("program_id").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    response: text("response"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("idempotency_key_uq").on(t.programId, t.key)],
);
