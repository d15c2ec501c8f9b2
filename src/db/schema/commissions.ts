import { FRAUD_FLAGS, type FraudFlag } from "../../domain/fraud";
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { conversions } from "./conversions";
import { partners } from "./partners";
import { programs } from "./programs";

export { FRAUD_FLAGS, type FraudFlag };

export const COMMISSION_STATUSES = ["hold", "pending", "approved", "paid", "reversed", "rejected"] as const;
export type CommissionStatus = (typeof COMMISSION_STATUSES)[number];

export const commissions = sqliteTable(
  "commissions",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    partnerId: text("partner_id").notNull().references(() => partners.id),
    conversionId: text("conversion_id").notNull().references(() => conversions.id),
    ruleId: text("rule_id"),
    tierId: text("tier_id"),
    /** the rule's type and value when it priced this commission (a rule may be changed later) */
    ruleType: text("rule_type", { enum: ["percent", "flat"] }),
    ruleValue: integer("rule_value"),
    /** current amount (after proportional refunds), minor units */
    amount: integer("amount").notNull(),
    /** amount when created, before any refund */
    originalAmount: integer("original_amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: COMMISSION_STATUSES }).notNull(),
    availableAt: integer("available_at").notNull(),
    payoutId: text("payout_id"),
    /** fraud signals that sent it to hold for a manager (null: none) */
    flags: text("flags", { mode: "json" }).$type<FraudFlag[]>(),
    /** set by every status change; batched follow-up writes run only if their update won */
    changeToken: text("change_token"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("commissions_conversion_uq").on(t.conversionId),
    index("commissions_program_status_idx").on(t.programId, t.status, t.createdAt),
    index("commissions_partner_idx").on(t.partnerId, t.createdAt),
    // partial: only pending rows, so approving does not rewrite a second status index entry
    index("commissions_due_idx").on(t.programId, t.availableAt).where(sql`status = 'pending'`),
    index("commissions_payout_idx").on(t.payoutId),
  ],
);

/** Negative (or positive) corrections that go onto a partner's next payout, e.g. a refund of a paid commission. */
export const adjustments = sqliteTable(
  "adjustments",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    partnerId: text("partner_id").notNull(),
    commissionId: text("commission_id"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    reason: text("reason").notNull(),
    payoutId: text("payout_id"),
    createdAt: createdAt(),
  },
  (t) => [index("adjustments_partner_idx").on(t.partnerId, t.payoutId)],
);
