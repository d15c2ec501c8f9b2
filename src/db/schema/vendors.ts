import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";

export const vendors = sqliteTable("vendors", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const API_KEY_KINDS = ["vendor", "partner", "postback", "public"] as const;
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

/** Keys are shown once; only their SHA-256 is stored. `prefix` helps people tell keys apart. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    hash: text("hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    kind: text("kind", { enum: API_KEY_KINDS }).notNull(),
    vendorId: text("vendor_id").notNull().references(() => vendors.id),
    programId: text("program_id"),
    partnerId: text("partner_id"),
    createdAt: createdAt(),
    revokedAt: integer("revoked_at"),
    /** a rotated key keeps working until then (grace period); null: until revoked */
    expiresAt: integer("expires_at"),
    /** vendor keys: a label people give them */
    name: text("name"),
  },
  (t) => [index("api_keys_vendor_idx").on(t.vendorId)],
);

/** Server-wide settings, such as the generated AFFLUX_SECRET. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
