import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { DEAL_STATUSES } from "../../domain/deals";
import { createdAt } from "./common";
import { partners } from "./partners";
import { programs } from "./programs";

export const deals = sqliteTable(
  "deals",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    partnerId: text("partner_id").notNull().references(() => partners.id),
    company: text("company").notNull(),
    /** as entered (display); the key is `account` */
    domain: text("domain"),
    /** the normalised account key (src/domain/deals.ts accountKey) */
    account: text("account").notNull(),
    contactName: text("contact_name").notNull(),
    contactEmail: text("contact_email").notNull(),
    /** registered value in minor units */
    value: integer("value"),
    expectedCloseAt: integer("expected_close_at"),
    notes: text("notes"),
    status: text("status", { enum: DEAL_STATUSES }).notNull(),
    conflictKind: text("conflict_kind", { enum: ["registered_by_other", "existing_customer"] }),
    /** the deal this one conflicted with at registration (managers only) */
    conflictDealId: text("conflict_deal_id"),
    protectedUntil: integer("protected_until"),
    reason: text("reason"),
    wonAmount: integer("won_amount"),
    closedAt: integer("closed_at"),
    /** the lead this deal came from (approved at once, no conflict check) */
    leadId: text("lead_id"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    // One holder per account: two registrations at once cannot both be submitted (the loser re-decides).
    uniqueIndex("deals_open_account_uq").on(t.programId, t.account).where(sql`status IN ('submitted', 'approved')`),
    index("deals_account_idx").on(t.programId, t.account, t.status),
    index("deals_program_idx").on(t.programId, t.createdAt),
    index("deals_partner_idx").on(t.partnerId, t.createdAt),
    index("deals_expiry_idx").on(t.status, t.protectedUntil),
  ],
);
