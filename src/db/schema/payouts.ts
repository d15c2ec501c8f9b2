import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";

export const PAYOUT_STATUSES = ["pending", "paid"] as const;

/** One "create payouts" run for a program. */
export const payoutBatches = sqliteTable(
  "payout_batches",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    currency: text("currency").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("payout_batches_program_idx").on(t.programId, t.createdAt)],
);

/** What one partner is paid in a batch: its approved commissions plus unsettled adjustments. */
export const payouts = sqliteTable(
  "payouts",
  {
    id: text("id").primaryKey(),
    batchId: text("batch_id").notNull(),
    programId: text("program_id").notNull(),
    partnerId: text("partner_id").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    commissionCount: integer("commission_count").notNull(),
    status: text("status", { enum: PAYOUT_STATUSES }).notNull(),
    paidAt: integer("paid_at"),
    /** set when marked paid; the commission updates in the same batch run only for the winner */
    changeToken: text("change_token"),
    createdAt: createdAt(),
  },
  (t) => [index("payouts_batch_idx").on(t.batchId), index("payouts_partner_idx").on(t.partnerId, t.createdAt)],
);

/** Every tier change of a partner, with the metric value that caused it. */
export const tierChanges = sqliteTable(
  "tier_changes",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull(),
    partnerId: text("partner_id").notNull(),
    fromTierId: text("from_tier_id"),
    toTierId: text("to_tier_id").notNull(),
    metricValue: integer("metric_value").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("tier_changes_partner_idx").on(t.partnerId, t.createdAt)],
);
