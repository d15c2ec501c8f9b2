import { describe, expect, it } from "vitest";
import { planStripeEvent, STRIPE_WEBHOOK_SECRET } from "../../src/domain/stripe";

const NOW = Date.UTC(2026, 5, 1);
const ev = (type: string, object: unknown, created = 1_780_000_000) => ({ id: "evt_1", type, created, data: { object } });

describe("planStripeEvent", () => {
  it("a checkout: amount_total, orderId = invoice else session, click from metadata.afx_click then client_reference_id", () => {
    expect(planStripeEvent(ev("checkout.session.completed", { id: "cs_1", amount_total: 1234, currency: "eur", client_reference_id: "ref", customer: { id: "cus_1" }, invoice: null, payment_intent: "pi_1" }), NOW)).toEqual({
      kind: "sale", via: "checkout", event: "sale", orderId: "cs_1", amount: 1234, currency: "EUR", clickId: "ref", customerId: "cus_1", coupon: null,
      occurredAt: 1_780_000_000_000, paymentIntent: "pi_1", firstOfSubscription: false,
    });
    const sub = planStripeEvent(ev("checkout.session.completed", { id: "cs_2", amount_total: 0, currency: "usd", client_reference_id: "ref", metadata: { afx_click: "clk" }, invoice: { id: "in_1" } }), NOW);
    expect(sub).toMatchObject({ event: "lead", orderId: "in_1", clickId: "clk", amount: 0 });
  });

  it("reads the coupon only from an expanded promotion code", () => {
    const base = { id: "cs_1", amount_total: 100, currency: "usd" };
    expect(planStripeEvent(ev("checkout.session.completed", { ...base, discounts: [{ promotion_code: "promo_1" }] }), NOW)).toMatchObject({ coupon: null });
    expect(planStripeEvent(ev("checkout.session.completed", { ...base, discounts: [{ promotion_code: { id: "promo_1", code: "SPRING" } }] }), NOW)).toMatchObject({ coupon: "SPRING" });
    expect(planStripeEvent(ev("checkout.session.completed", { ...base, total_details: { breakdown: { discounts: [{ discount: { promotion_code: { code: "FALL" } } }] } } }), NOW)).toMatchObject({ coupon: "FALL" });
  });

  it("an invoice: amount_paid for the customer; nothing paid is ignored; the payment intent in either API shape", () => {
    expect(planStripeEvent(ev("invoice.paid", { id: "in_1", amount_paid: 900, currency: "usd", customer: "cus_1", billing_reason: "subscription_cycle", payment_intent: "pi_1" }), NOW)).toMatchObject({
      kind: "sale", via: "invoice", orderId: "in_1", amount: 900, customerId: "cus_1", clickId: null, paymentIntent: "pi_1", firstOfSubscription: false,
    });
    expect(planStripeEvent(ev("invoice.paid", { id: "in_2", amount_paid: 900, currency: "usd", billing_reason: "subscription_create", payments: { data: [{ payment: { payment_intent: "pi_2" } }] } }), NOW)).toMatchObject({ paymentIntent: "pi_2", firstOfSubscription: true });
    expect(planStripeEvent(ev("invoice.paid", { id: "in_3", amount_paid: 0, currency: "usd" }), NOW)).toMatchObject({ kind: "ignored" });
  });

  it("a refunded charge: its invoice, then its payment intent; the running total", () => {
    expect(planStripeEvent(ev("charge.refunded", { id: "ch_1", invoice: "in_1", payment_intent: "pi_1", amount_refunded: 500, currency: "usd" }), NOW)).toEqual({ kind: "refund", orderIds: ["in_1", "pi_1"], paymentIntent: "pi_1", amountRefunded: 500, currency: "USD" });
    expect(planStripeEvent(ev("charge.refunded", { id: "ch_2", amount_refunded: 500 }), NOW)).toMatchObject({ kind: "ignored" });
  });

  it("ignores other types and malformed objects; uses now without created", () => {
    expect(planStripeEvent(ev("customer.created", { id: "cus_1" }), NOW)).toMatchObject({ kind: "ignored" });
    expect(planStripeEvent(ev("invoice.paid", null), NOW)).toMatchObject({ kind: "ignored" });
    expect(planStripeEvent(ev("checkout.session.completed", { id: "cs_1", amount_total: -5, currency: "usd" }, 0), NOW)).toMatchObject({ event: "lead", amount: 0, occurredAt: NOW });
  });

  it("recognises signing secrets", () => {
    expect(STRIPE_WEBHOOK_SECRET.test("whsec_abcdEFGH1234")).toBe(true);
    for (const s of ["whsec_", "sk_test_abcdefgh", "whsec_abc def ghi", "whsec_short"]) expect(STRIPE_WEBHOOK_SECRET.test(s)).toBe(false);
  });
});
