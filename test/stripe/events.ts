import Stripe from "stripe";
import { ADMIN_KEY, createFixture, okJson, type TestApp } from "../helpers/app";

export const WHSEC = "whsec_test_0123456789abcdefABCDEF0123456789";

let seq = 0;
const nextId = (prefix: string) => `${prefix}_test${Date.now().toString(36)}${(++seq).toString(36)}`;

/** A Stripe event as Stripe sends it (only the fields afflux reads, plus a few it ignores). */
export function stripeEvent(type: string, object: Record<string, unknown>, opts: { id?: string; created?: number } = {}) {
  return { id: opts.id ?? nextId("evt"), object: "event", api_version: "2024-06-20", type, created: opts.created ?? Math.floor(Date.now() / 1000), livemode: false, pending_webhooks: 1, data: { object } };
}

export function checkoutSession(fields: Record<string, unknown> = {}) {
  return {
    id: nextId("cs"), object: "checkout.session", mode: "payment", payment_status: "paid", status: "complete",
    amount_total: 4999, amount_subtotal: 4999, currency: "usd", client_reference_id: null, customer: null, invoice: null,
    payment_intent: nextId("pi"), metadata: {}, discounts: [], ...fields,
  };
}

export function invoice(fields: Record<string, unknown> = {}) {
  return { id: nextId("in"), object: "invoice", status: "paid", amount_paid: 1500, amount_due: 1500, currency: "usd", customer: "cus_x", billing_reason: "subscription_cycle", payment_intent: nextId("pi"), ...fields };
}

export function charge(fields: Record<string, unknown> = {}) {
  return { id: nextId("ch"), object: "charge", amount: 4999, amount_refunded: 0, refunded: false, currency: "usd", invoice: null, payment_intent: null, ...fields };
}

/**
 * POSTs an event to the program's Stripe endpoint, signed by the `stripe` package's own test
 * helper (the oracle): `timestamp` in seconds, `secret` to sign with another one.
 */
export function sendStripe(t: TestApp, programId: string, event: unknown, opts: { secret?: string; timestamp?: number; signature?: string | null; body?: string } = {}) {
  const payload = opts.body ?? JSON.stringify(event);
  const header = opts.signature !== undefined
    ? opts.signature
    : Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? WHSEC, timestamp: opts.timestamp ?? Math.floor(t.clock.now / 1000) });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (header !== null) headers["stripe-signature"] = header;
  return t.request(`/v1/integrations/stripe/${programId}`, { method: "POST", headers, body: payload });
}

/** A vendor, program (USD, 20% per sale), partner and link, with Stripe connected. */
export async function stripeFixture(t: TestApp, overrides: Parameters<typeof createFixture>[1] = {}) {
  const f = await createFixture(t, overrides);
  const connected = await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", key: f.vendorKey, json: { webhookSecret: WHSEC } }));
  return { ...f, endpoint: connected.endpoint as string };
}

export { ADMIN_KEY };
