import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";

export const SESSION_AREAS = ["app", "portal"] as const;
export type SessionArea = (typeof SESSION_AREAS)[number];

/**
 * Dashboard and portal sign-ins. Only the SHA-256 of the cookie's token is stored, so a leaked
 * database holds no usable session. A session dies at `expiresAt` or on sign-out.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 (hex) of the random token in the cookie */
    hash: text("hash").primaryKey(),
    area: text("area", { enum: SESSION_AREAS }).notNull(),
    vendorId: text("vendor_id").notNull(),
    /** set for partner sessions (the portal) */
    programId: text("program_id"),
    partnerId: text("partner_id"),
    /** the key the session signed in with (its row id): who made a dashboard change, for the audit */
    keyId: text("key_id"),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_expires_idx").on(t.expiresAt)],
);

/** One-time sign-in links a manager hands to a partner; stored hashed, used at most once. */
export const signInLinks = sqliteTable(
  "sign_in_links",
  {
    hash: text("hash").primaryKey(),
    vendorId: text("vendor_id").notNull(),
    programId: text("program_id").notNull(),
    partnerId: text("partner_id").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("sign_in_links_partner_idx").on(t.partnerId)],
);
