import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { programs, tiers } from "./programs";

export const PARTNER_STATUSES = ["approved", "deactivated", "banned"] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export const partners = sqliteTable(
  "partners",
  {
    id: text("id").primaryKey(),
    num: integer("num").notNull().unique(),
    programId: text("program_id").notNull().references(() => programs.id),
    name: text("name").notNull(),
    email: text("email").notNull(),
    status: text("status", { enum: PARTNER_STATUSES }).notNull(),
    tierId: text("tier_id").notNull().references(() => tiers.id),
    /** as entered, for display */
    coupon: text("coupon"),
    /** lower-cased, for case-insensitive lookup and uniqueness per program */
    couponKey: text("coupon_key"),
    /** lower-cased email, unique per program (null only for duplicates that predate the rule) */
    emailKey: text("email_key"),
    /** lead routing profile: countries (upper-case ISO) and verticals it takes, empty = any */
    leadCountries: text("lead_countries", { mode: "json" }).$type<string[]>().notNull().default([]),
    leadVerticals: text("lead_verticals", { mode: "json" }).$type<string[]>().notNull().default([]),
    /** open leads (offered or accepted) it may hold at once; 0 = no leads */
    leadCapacity: integer("lead_capacity").notNull().default(0),
    /** the last time routing offered it a lead: round robin between equals */
    lastLeadOfferAt: integer("last_lead_offer_at"),
    /** its leads now offered or accepted, kept by every lead write (routing reads it instead of counting) */
    openLeads: integer("open_leads").notNull().default(0),
    /** where the partner came from (an application's `source`), null for partners a manager added */
    source: text("source"),
    /** the partner of the program who referred this one */
    referredBy: text("referred_by"),
    /** the partner's postback URL template (macros such as {click_id}); null: no postbacks */
    postbackUrl: text("postback_url"),
    createdAt: createdAt(),
  },
  (t) => [
    index("partners_program_idx").on(t.programId, t.createdAt),
    uniqueIndex("partners_coupon_uq").on(t.programId, t.couponKey),
    uniqueIndex("partners_email_uq").on(t.programId, t.emailKey),
    // lead routing walks this in the rule's order (fewest open leads, oldest last offer, id) and stops at the first fits
    index("partners_routing_idx").on(t.programId, t.openLeads, t.lastLeadOfferAt, t.id),
  ],
);
