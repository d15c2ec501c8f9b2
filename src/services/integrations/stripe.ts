import Stripe from "stripe";
import type { Db } from "../../db/client";
import { findConversion, findCustomer, type ConversionRow } from "../../db/queries/conversions";
import type { ProgramRow } from "../../db/queries/programs";
import {
  conversionOfPaymentIntent, findStripeEvent, getStripeIntegration, insertStripeEvent, stripeEventWhen, stripeEventWithConversion, upsertStripeIntegration,
  type StripeEventRow,
} from "../../db/queries/stripe";
import { openSecret, sealSecret } from "../../domain/secretBox";
import { SYSTEM_ACTOR, type Actor } from "../../domain/audit";
import { formatMoney } from "../../domain/money";
import type { StripeEventLike, StripePlan, StripeRefund, StripeSale } from "../../domain/stripe";
import { recordConversion, type ConversionInput, type TrackingDeps } from "../tracking/conversions";
import { refundConversion } from "../tracking/refunds";

/** Stripe's own default, and the contract's: a signature older than 5 minutes is refused. */
export const STRIPE_TOLERANCE_SECONDS = 300;
const PURPOSE = "stripe-webhook-secret";
// SubtleCrypto in Node and workerd alike: one verification path for both runtimes.
const cryptoProvider = Stripe.createSubtleCryptoProvider();

/** The URL a vendor gives Stripe: from AFFLUX_PUBLIC_URL, never from a request's Host. */
export const stripeEndpoint = (publicUrl: string, programId: string) => `${publicUrl}/v1/integrations/stripe/${programId}`;

/** Seals and stores a program's webhook signing secret; it is never readable through afflux again. */
export async function connectStripe(db: Db, serverSecret: string, program: ProgramRow, webhookSecret: string, now: number, actor: Actor = SYSTEM_ACTOR): Promise<void> {
  // the manager's decision for the audit log (the secret itself never is in it)
  const audit = { vendorId: program.vendorId, programId: program.id, action: "stripe.connect", actor, object: { type: "stripe_integration", id: program.id } };
  await upsertStripeIntegration(db, program.id, await sealSecret(serverSecret, PURPOSE, program.id, webhookSecret), now, audit);
}

export type Verified =
  | { kind: "ok"; event: StripeEventLike }
  | { kind: "not_connected" }
  | { kind: "bad_signature"; message: string }
  /** signed with the program's secret, yet not shaped like an event (no id, type or data) */
  | { kind: "not_an_event" };

/**
 * Checks the `Stripe-Signature` header against the program's secret with Stripe's own
 * `constructEventAsync` (tolerance 300 s, measured against the injected clock).
 */
export async function verifyStripeEvent(db: Db, serverSecret: string, programId: string, payload: string, signature: string | null, now: number): Promise<Verified> {
  const integration = await getStripeIntegration(db, programId);
  if (!integration) return { kind: "not_connected" };
  const secret = await openSecret(serverSecret, PURPOSE, programId, integration.sealedSecret);
  // a secret sealed under another AFFLUX_SECRET cannot verify anything: the vendor must paste it again
  if (secret === null) throw new Error(`the Stripe signing secret of program ${programId} does not open with this server secret; set it again`);
  if (!signature) return { kind: "bad_signature", message: "the Stripe-Signature header is missing" };
  try {
    const event = (await Stripe.webhooks.constructEventAsync(payload, signature, secret, STRIPE_TOLERANCE_SECONDS, cryptoProvider, now)) as unknown as Partial<StripeEventLike>;
    if (typeof event.id !== "string" || !event.id || event.id.length > 255 || typeof event.type !== "string" || typeof event.data !== "object" || event.data === null) {
      return { kind: "not_an_event" };
    }
    return { kind: "ok", event: event as StripeEventLike };
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeSignatureVerificationError)) return { kind: "not_an_event" };
    return { kind: "bad_signature", message: `the Stripe-Signature does not verify: ${err.message}` };
  }
}

export type Applied =
  | { kind: "recorded" | "duplicate_event"; row: StripeEventRow }
  | { kind: "conflict"; message: string }
  | { kind: "invalid"; path: string; message: string };

/** The fields of a sale as the conversion checks take them (major units; the checks parse them back exactly). */
export function saleFields(sale: StripeSale) {
  return {
    orderId: sale.orderId, event: sale.event, currency: sale.currency,
    amount: /^[A-Z]{3}$/.test(sale.currency) ? safeFormat(sale.amount, sale.currency) : String(sale.amount),
    clickId: sale.clickId ?? undefined, customerId: sale.customerId ?? undefined, coupon: sale.coupon ?? undefined,
    occurredAt: new Date(sale.occurredAt).toISOString(),
  };
}
function safeFormat(minor: number, currency: string): string {
  try { return formatMoney(minor, currency); } catch { return String(minor); }
}

/** What an event became; `written`: its row is already stored, in the transaction of the change it caused. */
type Result = Pick<StripeEventRow, "outcome" | "conversionId" | "paymentIntent" | "detail"> & { written?: boolean };
/** The event's row for a result (the rest of the row is the event's). */
type RowOf = (r: Pick<StripeEventRow, "outcome" | "conversionId" | "paymentIntent" | "detail">) => StripeEventRow;
const describe = (c: ConversionRow) =>
  `${c.event} ${formatMoney(c.amount, c.currency)} ${c.currency}, ${c.status === "attributed" ? `attributed by ${c.via}` : `unattributed (${c.reason})`}`;

async function applySale(deps: TrackingDeps, program: ProgramRow, sale: StripeSale, input: ConversionInput, rowOf: RowOf): Promise<Result | Applied> {
  if (sale.via === "invoice") {
    // The invoice a checkout session already recorded (orderId = invoice id) is not counted twice.
    const seen = await findConversion(deps.db, program.id, "sale", sale.orderId);
    if (seen) return { outcome: "duplicate_invoice", conversionId: seen.id, paymentIntent: sale.paymentIntent, detail: `invoice ${sale.orderId} was already recorded` };
    // A subscription's first invoice may arrive before its checkout session, which carries the
    // click: recording it now would key the order without the click and lose the partner's sale.
    // Only a customer afflux already attributes makes it a sale here; else the checkout counts it.
    if (sale.firstOfSubscription && (!sale.customerId || !(await findCustomer(deps.db, program.id, sale.customerId)))) {
      return { outcome: "ignored", conversionId: null, paymentIntent: sale.paymentIntent, detail: `first invoice ${sale.orderId} of a new subscription: its checkout session records the sale` };
    }
  }
  // a new conversion and the event's row are one transaction: a crash leaves both or neither
  const resultOf = (c: ConversionRow, again: string) => ({ outcome: "conversion" as const, conversionId: c.id, paymentIntent: sale.paymentIntent, detail: describe(c) + again });
  const outcome = await recordConversion(deps, program, input, (c) => [stripeEventWithConversion(rowOf(resultOf(c, "")), c.id)]);
  if (outcome.kind === "conflict") return { kind: "conflict", message: outcome.message };
  if (outcome.kind === "ignored") throw new Error("a Stripe sale was ignored like a pixel");
  if (outcome.kind === "created") return { ...resultOf(outcome.conversion, ""), written: true };
  return resultOf(outcome.conversion, " (the order was already recorded)");
}

async function refundTarget(db: Db, programId: string, refund: StripeRefund): Promise<ConversionRow | null> {
  for (const orderId of refund.orderIds) {
    const conv = await findConversion(db, programId, "sale", orderId);
    if (conv) return conv;
  }
  return refund.paymentIntent ? conversionOfPaymentIntent(db, programId, refund.paymentIntent) : null;
}

async function applyRefund(deps: TrackingDeps, program: ProgramRow, refund: StripeRefund, rowOf: RowOf): Promise<Result | Applied> {
  if (refund.currency !== program.currency) return { kind: "invalid", path: "currency", message: `this program's currency is ${program.currency}, the charge's is ${refund.currency || "missing"}` };
  const target = await refundTarget(deps.db, program.id, refund);
  if (!target) return { outcome: "ignored", conversionId: null, paymentIntent: refund.paymentIntent, detail: `no conversion of this program for ${refund.orderIds.join(" or ")}` };
  const resultOf = (c: ConversionRow, added: number) => ({
    outcome: "refund" as const, conversionId: c.id, paymentIntent: refund.paymentIntent,
    detail: added > 0 ? `refunded ${formatMoney(added, c.currency)} ${c.currency} (${formatMoney(c.refunded, c.currency)} of ${formatMoney(c.amount, c.currency)} in all)` : "nothing more to refund",
  });
  // the refund and the event's row are one transaction: a crash leaves both or neither
  const outcome = await refundConversion(deps, program.id, program.num, { orderId: target.orderId, event: target.event, amount: null, upTo: refund.amountRefunded },
    ({ conversion, refunded }, won) => [stripeEventWhen(deps.db, rowOf(resultOf({ ...conversion, refunded }, refunded - conversion.refunded)), won)]);
  if (outcome.kind === "busy") return { kind: "conflict", message: "too many concurrent refunds of this order; Stripe will retry" };
  if (outcome.kind !== "ok") throw new Error(`a Stripe refund by running total answered ${outcome.kind}`);
  return outcome.wrote ? { ...resultOf(outcome.conversion, 0), written: true } : resultOf(outcome.conversion, 0);
}

/**
 * Applies a verified event once per Stripe event id. The event's row is written in the same
 * transaction as the conversion or refund it causes (a crash leaves both or neither, and the
 * redelivery applies it then); an event that changes nothing is recorded on its own. The steps
 * are idempotent besides (the order key; the refund's running total), so two deliveries at once
 * still count once. `input` is the sale's checked conversion input (null for other plans).
 */
export async function applyStripeEvent(deps: TrackingDeps, program: ProgramRow, event: StripeEventLike, plan: StripePlan, input: ConversionInput | null): Promise<Applied> {
  const seen = await findStripeEvent(deps.db, program.id, event.id);
  if (seen) return { kind: "duplicate_event", row: seen };
  const createdAt = deps.now();
  const rowOf: RowOf = (r) => ({ id: event.id, programId: program.id, type: event.type, createdAt, outcome: r.outcome, conversionId: r.conversionId, paymentIntent: r.paymentIntent, detail: r.detail });
  let result: Result | Applied;
  if (plan.kind === "sale") result = await applySale(deps, program, plan, input!, rowOf);
  else if (plan.kind === "refund") result = await applyRefund(deps, program, plan, rowOf);
  else result = { outcome: "ignored", conversionId: null, paymentIntent: null, detail: plan.detail };
  if ("kind" in result) return result;
  // our change won (a concurrent twin found it done and changed nothing), so the stored row is ours
  if (result.written) return { kind: "recorded", row: (await findStripeEvent(deps.db, program.id, event.id))! };
  const row = rowOf(result);
  if (!(await insertStripeEvent(deps.db, row))) return { kind: "duplicate_event", row: (await findStripeEvent(deps.db, program.id, event.id)) ?? row };
  return { kind: "recorded", row };
}
