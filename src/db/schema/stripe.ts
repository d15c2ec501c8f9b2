import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { createdAt } from "./common";
import { programs } from "./programs";

/**
 * A program's Stripe connection. The webhook signing secret must stay usable (every event is
 * verified with it) yet never be shown again: it is kept sealed with AES-GCM under a key derived
 * from the server secret (src/domain/secretBox.ts), bound to the program id.
 */
export const stripeIntegrations = sqliteTable("stripe_integrations", {
  programId: text("program_id").primaryKey().references(() => programs.id),
  /** `v1.<iv>.<ciphertext>` (base64url), see secretBox.ts */
  sealedSecret: text("sealed_secret").notNull(),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull(),
});

export const STRIPE_OUTCOMES = ["conversion", "duplicate_invoice", "refund", "ignored"] as const;
export type StripeOutcome = (typeof STRIPE_OUTCOMES)[number];

/**
 * Every Stripe event a program's endpoint accepted, once by its Stripe event id: a redelivery
 * finds its row and changes nothing. `conversionId` is what the event became (a new or already
 * recorded conversion, or the refunded one); `paymentIntent` lets a later `charge.refunded` that
 * names only its payment intent find the conversion a checkout session or invoice recorded.
 */
export const stripeEvents = sqliteTable(
  "stripe_events",
  {
    /** the Stripe event id (`evt_…`) */
    id: text("id").notNull(),
    programId: text("program_id").notNull().references(() => programs.id),
    type: text("type").notNull(),
    outcome: text("outcome", { enum: STRIPE_OUTCOMES }).notNull(),
    conversionId: text("conversion_id"),
    paymentIntent: text("payment_intent"),
    /** what happened, in words, for the settings page (e.g. why an event was ignored) */
    detail: text("detail").notNull(),
    /** when afflux received it */
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.programId, t.id] }),
    index("stripe_events_recent_idx").on(t.programId, t.createdAt, t.id),
    index("stripe_events_intent_idx").on(t.programId, t.paymentIntent),
  ],
);
