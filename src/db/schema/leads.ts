import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { ATTEMPT_OUTCOMES, LEAD_STATUSES } from "../../domain/leads";
import { createdAt } from "./common";
import { partners } from "./partners";
import { programs } from "./programs";

export const leads = sqliteTable(
  "leads",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    company: text("company").notNull(),
    contactName: text("contact_name"),
    contactEmail: text("contact_email").notNull(),
    country: text("country"),
    vertical: text("vertical"),
    value: integer("value"),
    minTierRank: integer("min_tier_rank"),
    status: text("status", { enum: LEAD_STATUSES }).notNull(),
    /** the partner it is offered to or accepted by; null when unassigned */
    partnerId: text("partner_id").references(() => partners.id),
    respondBy: integer("respond_by"),
    dealId: text("deal_id"),
    /** the current offer (lead_attempts.id) while offered or accepted */
    attemptId: text("attempt_id"),
    /** set by every change; the follow-up writes of a batch run only if its change won (no races) */
    changeToken: text("change_token").notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("leads_program_idx").on(t.programId, t.createdAt),
    // open leads per partner (routing counts them) and a partner's own list
    index("leads_partner_idx").on(t.partnerId, t.status),
    index("leads_partner_created_idx").on(t.partnerId, t.createdAt),
    index("leads_respond_idx").on(t.status, t.respondBy),
  ],
);

/** Every offer of a lead, with its outcome: the trail a manager reads. */
export const leadAttempts = sqliteTable(
  "lead_attempts",
  {
    id: text("id").primaryKey(),
    leadId: text("lead_id").notNull().references(() => leads.id),
    partnerId: text("partner_id").notNull().references(() => partners.id),
    offeredAt: integer("offered_at").notNull(),
    respondBy: integer("respond_by"),
    outcome: text("outcome", { enum: ATTEMPT_OUTCOMES }).notNull(),
    reason: text("reason"),
    answeredAt: integer("answered_at"),
    /** assigned by a manager rather than routed */
    manual: integer("manual", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("lead_attempts_lead_idx").on(t.leadId, t.offeredAt), index("lead_attempts_partner_idx").on(t.partnerId, t.leadId)],
);
