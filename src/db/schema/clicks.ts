import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One row per redirect. Written in batches by the click sink, never on the redirect path.
 * Columns hold integers where possible (program/link/partner numbers from the click id) because
 * this is the largest table by far and its insert cost bounds the redirect throughput.
 * No raw IP: `visitor` is a keyed hash of IP + user agent + day.
 */
export const clicks = sqliteTable("clicks", {
  /** insertion order; the rollup job consumes clicks by this cursor */
  seq: integer("seq").primaryKey(),
  id: text("id").notNull().unique(),
  ts: integer("ts").notNull(),
  programNum: integer("program_num").notNull(),
  linkNum: integer("link_num").notNull(),
  partnerNum: integer("partner_num").notNull(),
  bot: integer("bot", { mode: "boolean" }).notNull(),
  browser: text("browser"),
  os: text("os"),
  device: text("device").notNull(),
  country: text("country"),
  referrerHost: text("referrer_host"),
  sub1: text("sub1"),
  sub2: text("sub2"),
  sub3: text("sub3"),
  sub4: text("sub4"),
  sub5: text("sub5"),
  visitor: integer("visitor").notNull(),
}, (t) => [
  // a link's clicks, newest first (GET /api/v1/links/:id/clicks); one more index entry per stored click
  index("clicks_link_ts_idx").on(t.linkNum, t.ts),
]);

/** Which visitors were already seen on a link on a day; feeds `uniqueClicks`. */
export const linkVisitors = sqliteTable(
  "link_visitors",
  {
    linkNum: integer("link_num").notNull(),
    day: integer("day").notNull(),
    visitor: integer("visitor").notNull(),
    /** seq of the visitor's first click on this link and day: that click is the unique one */
    firstSeq: integer("first_seq").notNull(),
    /** the visitor's (non-bot) clicks on this link that day, as rolled up: `click_flood` reads it */
    clicks: integer("clicks").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.linkNum, t.day, t.visitor] })],
);

/** Progress markers of incremental jobs, e.g. the last click seq folded into the rollups. */
export const cursors = sqliteTable("cursors", {
  name: text("name").primaryKey(),
  value: integer("value").notNull(),
});
