/**
 * What a verified Stripe event means for afflux (CONTRACT-PRM "Stripe"), decided from the event
 * alone: no I/O, no Stripe SDK. Stripe amounts are already minor units; currencies come lowercase.
 * Fields are read defensively: API versions differ (e.g. `charge.invoice` and
 * `invoice.payment_intent` are gone since 2025-03-31.basil) and ids may arrive expanded as objects.
 */

/** A Stripe webhook endpoint's signing secret, as the dashboard shows it to the vendor. */
export const STRIPE_WEBHOOK_SECRET = /^whsec_[A-Za-z0-9+/=_-]{8,200}$/;

export interface StripeEventLike {
  id: string;
  type: string;
  /** seconds since the epoch */
  created?: number;
  data: { object: unknown };
}

export interface StripeSale {
  kind: "sale";
  /** which Stripe object reported it: a checkout session, or an invoice (renewals) */
  via: "checkout" | "invoice";
  /** `sale`, or `lead` for a checkout of 0 */
  event: "sale" | "lead";
  orderId: string;
  amount: number;
  /** uppercase ISO-4217 */
  currency: string;
  clickId: string | null;
  customerId: string | null;
  coupon: string | null;
  occurredAt: number;
  /** remembered so that a `charge.refunded` naming only its payment intent finds this sale */
  paymentIntent: string | null;
  /** the first invoice of a subscription: its checkout session, when there is one, reports it too */
  firstOfSubscription: boolean;
}

export interface StripeRefund {
  kind: "refund";
  /** the orderIds the refunded conversion may have: the charge's invoice, then its payment intent */
  orderIds: string[];
  paymentIntent: string | null;
  /** Stripe's running total refunded on the charge (minor units) */
  amountRefunded: number;
  currency: string;
}

export type StripePlan = StripeSale | StripeRefund | { kind: "ignored"; detail: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);
/** An id that may be expanded into its object. */
const idOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v.id) : null);
const minor = (v: unknown): number | null => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : null);
const upper = (v: unknown): string => (str(v) ?? "").toUpperCase();

/** The promotion code's `code`, when the event carries it (it does only when expanded). */
function promotionCode(session: Obj): string | null {
  const entries: unknown[] = [];
  if (Array.isArray(session.discounts)) entries.push(...session.discounts);
  const breakdown = isObj(session.total_details) && isObj(session.total_details.breakdown) ? session.total_details.breakdown : null;
  if (breakdown && Array.isArray(breakdown.discounts)) entries.push(...breakdown.discounts.map((d) => (isObj(d) ? d.discount : null)));
  for (const entry of entries) {
    const promo = isObj(entry) ? entry.promotion_code : null;
    const code = isObj(promo) ? str(promo.code) : null;
    if (code) return code;
  }
  return null;
}

function checkoutSale(session: Obj, occurredAt: number): StripePlan {
  const sessionId = str(session.id);
  if (!sessionId) return { kind: "ignored", detail: "checkout session without an id" };
  const amount = minor(session.amount_total) ?? 0;
  const metadata = isObj(session.metadata) ? session.metadata : {};
  return {
    kind: "sale", via: "checkout", event: amount > 0 ? "sale" : "lead",
    orderId: idOf(session.invoice) ?? sessionId, amount, currency: upper(session.currency),
    // afx_click is set for afflux alone; client_reference_id may hold the vendor's own reference
    clickId: str(metadata.afx_click) ?? str(session.client_reference_id),
    customerId: idOf(session.customer), coupon: promotionCode(session), occurredAt,
    paymentIntent: idOf(session.payment_intent), firstOfSubscription: false,
  };
}

function invoicePaymentIntent(invoice: Obj): string | null {
  const legacy = idOf(invoice.payment_intent);
  if (legacy) return legacy;
  const payments = isObj(invoice.payments) && Array.isArray(invoice.payments.data) ? invoice.payments.data : [];
  for (const p of payments) {
    const intent = isObj(p) && isObj(p.payment) ? idOf(p.payment.payment_intent) : null;
    if (intent) return intent;
  }
  return null;
}

function invoiceSale(invoice: Obj, occurredAt: number): StripePlan {
  const invoiceId = str(invoice.id);
  if (!invoiceId) return { kind: "ignored", detail: "invoice without an id" };
  const amount = minor(invoice.amount_paid) ?? 0;
  if (amount === 0) return { kind: "ignored", detail: `invoice ${invoiceId}: nothing was paid` };
  return {
    kind: "sale", via: "invoice", event: "sale", orderId: invoiceId, amount, currency: upper(invoice.currency),
    clickId: null, customerId: idOf(invoice.customer), coupon: null, occurredAt,
    paymentIntent: invoicePaymentIntent(invoice), firstOfSubscription: invoice.billing_reason === "subscription_create",
  };
}

function chargeRefund(charge: Obj): StripePlan {
  const invoice = idOf(charge.invoice);
  const paymentIntent = idOf(charge.payment_intent);
  const orderIds = [invoice, paymentIntent].filter((v): v is string => v !== null);
  if (orderIds.length === 0) return { kind: "ignored", detail: `charge ${str(charge.id) ?? "?"} names neither an invoice nor a payment intent` };
  return { kind: "refund", orderIds, paymentIntent, amountRefunded: minor(charge.amount_refunded) ?? 0, currency: upper(charge.currency) };
}

/** The plan for one verified event; `now` stands in when the event has no `created`. */
export function planStripeEvent(event: StripeEventLike, now: number): StripePlan {
  const object = event.data?.object;
  if (!isObj(object)) return { kind: "ignored", detail: `${event.type} without an object` };
  const occurredAt = typeof event.created === "number" && event.created > 0 ? event.created * 1000 : now;
  switch (event.type) {
    case "checkout.session.completed": return checkoutSale(object, occurredAt);
    case "invoice.paid": return invoiceSale(object, occurredAt);
    case "charge.refunded": return chargeRefund(object);
    default: return { kind: "ignored", detail: `${event.type} is not an event afflux uses` };
  }
}
