import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";

export const MAIL_STATUSES = ["queued", "sent", "failed"] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * The outbox of e-mail: a mail row is written in the transaction of the change it tells of
 * (an approval, a sign-in link), and the mail job sends it later, so no request waits for SMTP.
 * Without SMTP configured, mails stay `queued` here and the dashboard shows them.
 * `link` holds a secret URL (a sign-in token) apart from the body and is erased once sent.
 */
export const mails = sqliteTable(
  "mails",
  {
    id: text("id").primaryKey(),
    vendorId: text("vendor_id").notNull(),
    programId: text("program_id"),
    kind: text("kind").notNull(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    /** plain text; `{link}` stands for `link` */
    body: text("body").notNull(),
    link: text("link"),
    /** one mail per cause (`signin:<link hash>`, `application.approved:<id>`): a repeated write adds none */
    dedupeKey: text("dedupe_key").notNull(),
    status: text("status", { enum: MAIL_STATUSES }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    /** a sender working on it until then (two jobs at once never send one mail twice) */
    claimedUntil: integer("claimed_until"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("mails_dedupe_uq").on(t.dedupeKey),
    index("mails_due_idx").on(t.status, t.nextAttemptAt),
    index("mails_vendor_idx").on(t.vendorId, t.createdAt, t.id),
  ],
);
