import type { InStatement } from "@libsql/client";
import { and, desc, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "../client";
import { conversions, stripeEvents, stripeIntegrations } from "../schema";
import { pageOrder, pageWhere, toPage, type PageRequest } from "./pagination";
import { writeWithEvent, type EventInput } from "./events";
import type { ConversionRow } from "./conversions";

export type StripeIntegrationRow = typeof stripeIntegrations.$inferSelect;
export type StripeEventRow = typeof stripeEvents.$inferSelect;

export async function getStripeIntegration(db: Db, programId: string): Promise<StripeIntegrationRow | null> {
  const [row] = await db.select().from(stripeIntegrations).where(eq(stripeIntegrations.programId, programId));
  return row ?? null;
}

/** Connects a program to Stripe, or replaces its signing secret (a rolled Stripe secret). */
export async function upsertStripeIntegration(db: Db, programId: string, sealedSecret: string, now: number, event: EventInput | null = null): Promise<void> {
  await writeWithEvent(db, db
    .insert(stripeIntegrations)
    .values({ programId, sealedSecret, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: stripeIntegrations.programId, set: { sealedSecret, updatedAt: now } }), event, now);
}

export async function findStripeEvent(db: Db, programId: string, eventId: string): Promise<StripeEventRow | null> {
  const [row] = await db.select().from(stripeEvents).where(and(eq(stripeEvents.programId, programId), eq(stripeEvents.id, eventId)));
  return row ?? null;
}

/** Records an event once; false when its id was recorded already (a concurrent redelivery). */
export async function insertStripeEvent(db: Db, row: StripeEventRow): Promise<boolean> {
  const inserted = await db.insert(stripeEvents).values(row).onConflictDoNothing().returning({ id: stripeEvents.id });
  return inserted.length === 1;
}

/**
 * The statement that records an event in the batch of the new conversion it caused (raw, as that
 * batch is): written only when the conversion is, so that either both exist or neither does.
 */
export function stripeEventWithConversion(row: StripeEventRow, conversionId: string): InStatement {
  return {
    sql: `INSERT INTO stripe_events (id, program_id, type, outcome, conversion_id, payment_intent, detail, created_at)
      SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM conversions WHERE id = ?) ON CONFLICT DO NOTHING`,
    args: [row.id, row.programId, row.type, row.outcome, row.conversionId, row.paymentIntent, row.detail, row.createdAt, conversionId],
  };
}

/** The statement that records an event in the batch of the change it caused, when `when` holds there. */
export function stripeEventWhen(db: Db, row: StripeEventRow, when: SQL): BatchItem<"sqlite"> {
  return db.run(sql`INSERT INTO stripe_events (id, program_id, type, outcome, conversion_id, payment_intent, detail, created_at)
    SELECT ${row.id}, ${row.programId}, ${row.type}, ${row.outcome}, ${row.conversionId}, ${row.paymentIntent}, ${row.detail}, ${row.createdAt}
    WHERE ${when} ON CONFLICT DO NOTHING`);
}

/** The conversion an earlier checkout session or invoice of this payment intent became. */
export async function conversionOfPaymentIntent(db: Db, programId: string, paymentIntent: string): Promise<ConversionRow | null> {
  const [row] = await db
    .select({ conversion: conversions })
    .from(stripeEvents)
    .innerJoin(conversions, eq(conversions.id, stripeEvents.conversionId))
    .where(and(eq(stripeEvents.programId, programId), eq(stripeEvents.paymentIntent, paymentIntent), isNotNull(stripeEvents.conversionId), eq(conversions.programId, programId)))
    .orderBy(desc(stripeEvents.createdAt))
    .limit(1);
  return row?.conversion ?? null;
}

/** The program's received events, newest first. */
export async function listStripeEvents(db: Db, programId: string, page: PageRequest) {
  const rows = await db
    .select()
    .from(stripeEvents)
    .where(and(eq(stripeEvents.programId, programId), pageWhere(stripeEvents.createdAt, stripeEvents.id, page.cursor)))
    .orderBy(...pageOrder(stripeEvents.createdAt, stripeEvents.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit);
}
