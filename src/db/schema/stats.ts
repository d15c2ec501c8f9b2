import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** `total` rows carry a partner's whole day (reports by day or partner); the others split it. */
export const STAT_DIMENSIONS = ["total", "link", "country", "device", "sub1"] as const;
export type StatDimension = (typeof STAT_DIMENSIONS)[number];

/**
 * Daily report rollup, one row per (program, dimension, day, partner, key): every click and every
 * attributed conversion is counted once under each dimension, so a report grouped by any of them
 * reads rollup rows, never raw clicks, and a partner's own report is a prefix of the same rows.
 * Keys: '' for `total`, the link number as text, country code, device type, sub1 value; '' when unknown.
 * Click columns are folded in by the click rollup job; conversion columns are kept exact by
 * delta upserts in the same batch as every conversion, refund and commission change.
 */
export const dailyStats = sqliteTable(
  "daily_stats",
  {
    programNum: integer("program_num").notNull(),
    dim: text("dim", { enum: STAT_DIMENSIONS }).notNull(),
    day: integer("day").notNull(),
    partnerNum: integer("partner_num").notNull(),
    key: text("key").notNull(),
    clicks: integer("clicks").notNull().default(0),
    uniqueClicks: integer("unique_clicks").notNull().default(0),
    botClicks: integer("bot_clicks").notNull().default(0),
    conversions: integer("conversions").notNull().default(0),
    revenue: integer("revenue").notNull().default(0),
    commission: integer("commission").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.programNum, t.dim, t.day, t.partnerNum, t.key] })],
);
