import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { vendors } from "./vendors";

/** What the public application form asks and which applicants are approved at once (domain/applications.ts). */
export interface ApplicationSettings {
  enabled: boolean;
  autoApprove: { field: "country" | "emailDomain"; op: "is" | "is_not"; values: string[] }[];
  questions: { id: string; label: string; required: boolean }[];
}
export const DEFAULT_APPLICATION_SETTINGS: ApplicationSettings = { enabled: true, autoApprove: [], questions: [] };

export const ATTRIBUTION_MODELS = ["last_click", "first_click"] as const;
export type AttributionModel = (typeof ATTRIBUTION_MODELS)[number];

export const programs = sqliteTable(
  "programs",
  {
    id: text("id").primaryKey(),
    /** Small integer carried inside click ids instead of the text id. */
    num: integer("num").notNull().unique(),
    vendorId: text("vendor_id").notNull().references(() => vendors.id),
    name: text("name").notNull(),
    currency: text("currency").notNull(),
    cookieDays: integer("cookie_days").notNull(),
    attribution: text("attribution", { enum: ATTRIBUTION_MODELS }).notNull(),
    holdDays: integer("hold_days").notNull(),
    /** JSON array of normalized host entries ("shop.example.com", ".example.com"). */
    allowedDomains: text("allowed_domains", { mode: "json" }).$type<string[]>().notNull(),
    clickParam: text("click_param").notNull(),
    minPayout: integer("min_payout").notNull(),
    /** a conversion sooner than this after its click is flagged `click_too_fast` (fraud signals) */
    minConversionSeconds: integer("min_conversion_seconds").notNull().default(10),
    /** how long an approved deal protects its account from other partners */
    dealProtectionDays: integer("deal_protection_days").notNull().default(90),
    /** how long a partner has to accept an offered lead before it moves on */
    leadSlaHours: integer("lead_sla_hours").notNull().default(48),
    /** public name in /apply/<handle>, unique across the server ([a-z0-9-]{3,40}) */
    handle: text("handle").notNull(),
    applications: text("applications", { mode: "json" }).$type<ApplicationSettings>().notNull().default(DEFAULT_APPLICATION_SETTINGS),
    createdAt: createdAt(),
  },
  (t) => [index("programs_vendor_idx").on(t.vendorId, t.createdAt), uniqueIndex("programs_handle_uq").on(t.handle)],
);

export const TIER_METRICS = ["revenue", "conversions"] as const;

export const tiers = sqliteTable(
  "tiers",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    name: text("name").notNull(),
    rank: integer("rank").notNull(),
    metric: text("metric", { enum: TIER_METRICS }).notNull(),
    /** minor units for revenue, a count for conversions */
    threshold: integer("threshold").notNull(),
    windowDays: integer("window_days").notNull(),
    createdAt: createdAt(),
    /** deleted through the API: kept so that old commissions still name their tier */
    archivedAt: integer("archived_at"),
  },
  (t) => [uniqueIndex("tiers_program_rank_uq").on(t.programId, t.rank).where(sql`archived_at IS NULL`)],
);

export const RULE_EVENTS = ["sale", "lead"] as const;
export type ConversionEvent = (typeof RULE_EVENTS)[number];
export const RULE_TYPES = ["percent", "flat"] as const;
export type RuleType = (typeof RULE_TYPES)[number];

/**
 * Commission rules. `value` is minor units for `flat`, percent × 10 000 for `percent`.
 * A rule applies to conversions created after it; the newest matching rule wins.
 * PATCH changes a rule in place: commissions keep the type and value that priced them (their own columns).
 */
export const commissionRules = sqliteTable(
  "commission_rules",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    tierId: text("tier_id").references(() => tiers.id),
    event: text("event", { enum: RULE_EVENTS }).notNull(),
    type: text("type", { enum: RULE_TYPES }).notNull(),
    value: integer("value").notNull(),
    /** recurring commissions: null lifetime, 0 a customer's first conversion only, N months after it */
    durationMonths: integer("duration_months"),
    createdAt: createdAt(),
    /** archived rules price nothing new; commissions keep naming the rule that priced them */
    archivedAt: integer("archived_at"),
  },
  (t) => [
    index("rules_program_event_idx").on(t.programId, t.event, t.createdAt),
    // one active rule per event and tier (program-wide rules have no tier: coalesce, as NULLs never collide)
    uniqueIndex("rules_active_uq").on(t.programId, t.event, sql`coalesce(tier_id, '')`).where(sql`archived_at IS NULL`),
  ],
);
