import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { programs } from "./programs";

/**
 * A manager's message to the program's partners. `tierIds` null: every partner sees it;
 * otherwise only partners in one of those tiers (a short list, so kept in the row as JSON).
 * `createdAt` is the publication time.
 */
export const announcements = sqliteTable(
  "announcements",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    title: text("title").notNull(),
    body: text("body").notNull(),
    tierIds: text("tier_ids", { mode: "json" }).$type<string[]>(),
    createdAt: createdAt(),
  },
  (t) => [index("announcements_program_idx").on(t.programId, t.createdAt, t.id)],
);

/** When a partner marked an announcement read (once: marking again keeps the first time). */
export const announcementReads = sqliteTable(
  "announcement_reads",
  {
    announcementId: text("announcement_id").notNull().references(() => announcements.id),
    partnerId: text("partner_id").notNull(),
    readAt: integer("read_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.announcementId, t.partnerId] })],
);

/**
 * A partner's answer to the quarterly satisfaction question (0–10, NPS scale). One per partner
 * and UTC calendar quarter (`2026-Q4`): the unique index settles two posts at once.
 */
export const satisfactionResponses = sqliteTable(
  "satisfaction_responses",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    partnerId: text("partner_id").notNull(),
    quarter: text("quarter").notNull(),
    score: integer("score").notNull(),
    comment: text("comment"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("satisfaction_quarter_uq").on(t.partnerId, t.quarter),
    index("satisfaction_program_idx").on(t.programId, t.createdAt),
  ],
);
