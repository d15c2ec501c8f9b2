import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { programs } from "./programs";

export const APPLICATION_STATUSES = ["pending", "approved", "rejected"] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Someone who asked to join a program (public form or `POST /v1/applications`). */
export const applications = sqliteTable(
  "applications",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    name: text("name").notNull(),
    email: text("email").notNull(),
    /** lower-cased email: one application per email and program */
    emailKey: text("email_key").notNull(),
    website: text("website"),
    /** ISO 3166-1 alpha-2, upper case */
    country: text("country"),
    answers: text("answers", { mode: "json" }).$type<Record<string, string>>().notNull(),
    source: text("source"),
    referredBy: text("referred_by"),
    status: text("status", { enum: APPLICATION_STATUSES }).notNull(),
    reason: text("reason"),
    /** the partner the approval created */
    partnerId: text("partner_id"),
    createdAt: createdAt(),
    decidedAt: integer("decided_at"),
  },
  (t) => [
    index("applications_program_idx").on(t.programId, t.status, t.createdAt),
    uniqueIndex("applications_email_uq").on(t.programId, t.emailKey),
  ],
);

/** Versioned partner terms of a program; the highest version is current. */
export const agreements = sqliteTable(
  "agreements",
  {
    id: text("id").primaryKey(),
    programId: text("program_id").notNull().references(() => programs.id),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    publishedAt: integer("published_at").notNull(),
  },
  (t) => [uniqueIndex("agreements_version_uq").on(t.programId, t.version)],
);

/** A partner's acceptance of one version: when, and a keyed hash of IP and user agent (never the raw IP). */
export const agreementAcceptances = sqliteTable(
  "agreement_acceptances",
  {
    agreementId: text("agreement_id").notNull().references(() => agreements.id),
    partnerId: text("partner_id").notNull(),
    programId: text("program_id").notNull(),
    version: integer("version").notNull(),
    acceptedAt: integer("accepted_at").notNull(),
    clientHash: text("client_hash").notNull(),
  },
  (t) => [uniqueIndex("acceptances_uq").on(t.agreementId, t.partnerId), index("acceptances_partner_idx").on(t.partnerId)],
);
