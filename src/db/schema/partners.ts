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
    /** the partner's postback URL template (macros such as {click_id}); null: no postbacks */
    postbackUrl: text("postback_url"),
    createdAt: createdAt(),
  },
  (t) => [
    index("partners_program_idx").on(t.programId, t.createdAt),
    uniqueIndex("partners_coupon_uq").on(t.programId, t.couponKey),
    uniqueIndex("partners_email_uq").on(t.programId, t.emailKey),
  ],
);
