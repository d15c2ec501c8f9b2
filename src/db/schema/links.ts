import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { partners } from "./partners";
import { programs } from "./programs";

export const links = sqliteTable(
  "links",
  {
    id: text("id").primaryKey(),
    num: integer("num").notNull().unique(),
    programId: text("program_id").notNull().references(() => programs.id),
    partnerId: text("partner_id").notNull().references(() => partners.id),
    slug: text("slug").notNull().unique(),
    destination: text("destination").notNull(),
    allowDeepLinks: integer("allow_deep_links", { mode: "boolean" }).notNull(),
    archived: integer("archived", { mode: "boolean" }).notNull(),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("links_program_idx").on(t.programId, t.createdAt),
    index("links_partner_idx").on(t.partnerId, t.createdAt),
  ],
);

/** Stored click totals per link, kept up to date by the rollup job. */
export const linkClickCounts = sqliteTable("link_click_counts", {
  linkNum: integer("link_num").primaryKey(),
  clicks: integer("clicks").notNull(),
  botClicks: integer("bot_clicks").notNull(),
});
