import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, okJson, PUBLIC_URL, sqlRows, createTestApp, type TestApp } from "../helpers/app";
import { charge, checkoutSession, invoice, sendStripe, stripeEvent, stripeFixture, WHSEC } from "./events";

type Fixture = Awaited<ReturnType<typeof stripeFixture>>;

const conversions = (t: TestApp) => sqlRows(t, "SELECT order_id, event, amount, refunded, currency, status, via, partner_id, customer_id, coupon FROM conversions ORDER BY created_at, id");
const commissions = (t: TestApp) => sqlRows(t, "SELECT c.order_id, m.amount, m.status, m.partner_id FROM commissions m JOIN conversions c ON c.id = m.conversion_id ORDER BY m.created_at, m.id");

describe("Stripe integration", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await stripeFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const events = async () => (await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe/events`, { key: f.vendorKey }))).data;

  it("PUT answers the endpoint from the public URL (never the Host), keeps the secret sealed and never shows it", async () => {
    const res = await t.request(`http://evil.example/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", key: f.vendorKey, json: { webhookSecret: WHSEC }, headers: { host: "evil.example" } });
    expect(await okJson(res)).toEqual({ endpoint: `${PUBLIC_URL}/v1/integrations/stripe/${f.program.id}` });
    expect(f.endpoint).toBe(`${PUBLIC_URL}/v1/integrations/stripe/${f.program.id}`);
    const [row] = await sqlRows(t, "SELECT * FROM stripe_integrations");
    expect(JSON.stringify(row)).not.toContain(WHSEC.slice(6));
    expect(String(row!.sealed_secret)).toMatch(/^v1\./);
    const status = await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { key: f.vendorKey }));
    expect(status).toMatchObject({ connected: true, endpoint: f.endpoint });
    expect(JSON.stringify(status)).not.toContain("whsec");
  });

  it("a checkout with the click id in client_reference_id is a sale attributed to the click's partner, priced by the rule", async () => {
    const clickId = await click(t, "anna");
    const session = checkoutSession({ client_reference_id: clickId, amount_total: 4999, customer: "cus_1" });
    const body = await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", session)));
    expect(body).toMatchObject({ received: true, duplicate: false, type: "checkout.session.completed", outcome: "conversion" });
    expect(await conversions(t)).toEqual([{ order_id: session.id, event: "sale", amount: 4999, refunded: 0, currency: "USD", status: "attributed", via: "click", partner_id: f.partner.id, customer_id: "cus_1", coupon: null }]);
    // 20% of 49.99 = 10.00 (9.998 rounded)
    expect(await commissions(t)).toEqual([{ order_id: session.id, amount: 1000, status: "pending", partner_id: f.partner.id }]);
    const [seen] = await events();
    expect(seen).toMatchObject({ type: "checkout.session.completed", outcome: "conversion", conversionId: body.conversionId });
    expect(seen.detail).toContain("attributed by click");
  });

  it("reads the click from metadata.afx_click, the coupon from an expanded promotion code, and a checkout of 0 is a lead", async () => {
    const clickId = await click(t, "anna");
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: "user-42", metadata: { afx_click: clickId } }))));
    t.clock.now += 1000;
    const promo = checkoutSession({ discounts: [{ coupon: "co_1", promotion_code: { id: "promo_1", object: "promotion_code", code: "ANNA10" } }] });
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", promo)));
    t.clock.now += 1000;
    const free = checkoutSession({ amount_total: 0, client_reference_id: clickId });
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", free)));
    const rows = await conversions(t);
    expect(rows.map((r) => [r.event, r.via, r.partner_id, r.coupon])).toEqual([
      ["sale", "click", f.partner.id, null], ["sale", "coupon", f.partner.id, "ANNA10"], ["lead", "click", f.partner.id, null],
    ]);
  });

  it("a subscription: its first invoice is not counted twice, a later invoice.paid earns a second commission by customer", async () => {
    const clickId = await click(t, "anna");
    const session = checkoutSession({ mode: "subscription", client_reference_id: clickId, customer: "cus_sub", invoice: "in_first", amount_total: 2000, payment_intent: null });
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", session)));
    t.clock.now += 1000;
    const first = await okJson(await sendStripe(t, f.program.id, stripeEvent("invoice.paid", invoice({ id: "in_first", customer: "cus_sub", amount_paid: 2000, billing_reason: "subscription_create" }))));
    expect(first).toMatchObject({ outcome: "duplicate_invoice", duplicate: false });
    t.clock.now += 30 * 86_400_000;
    const renewal = await okJson(await sendStripe(t, f.program.id, stripeEvent("invoice.paid", invoice({ id: "in_second", customer: "cus_sub", amount_paid: 2000 }))));
    expect(renewal).toMatchObject({ outcome: "conversion" });
    expect((await conversions(t)).map((r) => [r.order_id, r.amount, r.via, r.partner_id])).toEqual([
      ["in_first", 2000, "click", f.partner.id], ["in_second", 2000, "customer", f.partner.id],
    ]);
    expect((await commissions(t)).map((r) => [r.order_id, r.amount])).toEqual([["in_first", 400], ["in_second", 400]]);
    expect((await events()).map((e: { outcome: string }) => e.outcome)).toEqual(["conversion", "duplicate_invoice", "conversion"]);
  });

  it("a subscription's first invoice arriving before its checkout session does not take the click's sale away", async () => {
    const clickId = await click(t, "anna");
    const early = await okJson(await sendStripe(t, f.program.id, stripeEvent("invoice.paid", invoice({ id: "in_early", customer: "cus_new", amount_paid: 2000, billing_reason: "subscription_create" }))));
    expect(early.outcome).toBe("ignored");
    t.clock.now += 1000;
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", checkoutSession({ mode: "subscription", client_reference_id: clickId, customer: "cus_new", invoice: "in_early", amount_total: 2000 }))));
    expect((await conversions(t)).map((r) => [r.order_id, r.via, r.partner_id])).toEqual([["in_early", "click", f.partner.id]]);
    expect(await countRows(t, "commissions")).toBe(1);
  });

  it("charge.refunded refunds part, then all (the running total), found by payment intent or invoice", async () => {
    const clickId = await click(t, "anna");
    const session = checkoutSession({ client_reference_id: clickId, amount_total: 5000, payment_intent: "pi_shop" });
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", session)));
    t.clock.now += 1000;
    const partial = await okJson(await sendStripe(t, f.program.id, stripeEvent("charge.refunded", charge({ payment_intent: "pi_shop", amount: 5000, amount_refunded: 2000 }))));
    expect(partial).toMatchObject({ outcome: "refund", conversionId: expect.any(String) });
    expect(await conversions(t)).toMatchObject([{ amount: 5000, refunded: 2000 }]);
    expect(await commissions(t)).toMatchObject([{ amount: 600, status: "pending" }]); // 20% of the 30.00 left
    t.clock.now += 1000;
    const full = await okJson(await sendStripe(t, f.program.id, stripeEvent("charge.refunded", charge({ payment_intent: "pi_shop", amount: 5000, amount_refunded: 5000, refunded: true }))));
    expect(full.detail).toContain("refunded 30.00 USD");
    expect(await conversions(t)).toMatchObject([{ refunded: 5000 }]);
    expect(await commissions(t)).toMatchObject([{ amount: 0, status: "reversed" }]);

    // an invoice's charge (subscriptions): found by the charge's invoice
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId, invoice: "in_r", amount_total: 1000 }))));
    await okJson(await sendStripe(t, f.program.id, stripeEvent("charge.refunded", charge({ invoice: "in_r", payment_intent: "pi_other", amount: 1000, amount_refunded: 1000 }))));
    expect((await conversions(t)).find((r) => r.order_id === "in_r")).toMatchObject({ refunded: 1000 });
  });

  it("a redelivered event answers 200 and changes nothing; a stale refund total refunds nothing more", async () => {
    const clickId = await click(t, "anna");
    const checkout = stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId, payment_intent: "pi_r", amount_total: 5000 }));
    const refund = stripeEvent("charge.refunded", charge({ payment_intent: "pi_r", amount_refunded: 1000 }));
    const first = await okJson(await sendStripe(t, f.program.id, checkout));
    t.clock.now += 1000;
    await okJson(await sendStripe(t, f.program.id, refund));
    const before = { conv: await conversions(t), com: await commissions(t), events: await events() };
    for (const event of [checkout, refund]) {
      t.clock.now += 60_000;
      const again = await okJson(await sendStripe(t, f.program.id, event));
      expect(again).toMatchObject({ received: true, duplicate: true, id: event.id });
    }
    expect((await okJson(await sendStripe(t, f.program.id, checkout))).conversionId).toBe(first.conversionId);
    expect({ conv: await conversions(t), com: await commissions(t), events: await events() }).toEqual(before);
    // a different event carrying an older running total: nothing more is refunded
    const stale = await okJson(await sendStripe(t, f.program.id, stripeEvent("charge.refunded", charge({ payment_intent: "pi_r", amount_refunded: 500 }))));
    expect(stale.detail).toBe("nothing more to refund");
    expect(await conversions(t)).toEqual(before.conv);
  });

  it("concurrent deliveries of the same events apply once", async () => {
    const clickId = await click(t, "anna");
    const checkout = stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId, payment_intent: "pi_c", amount_total: 5000 }));
    const answers = await Promise.all([1, 2, 3].map(async () => okJson(await sendStripe(t, f.program.id, checkout))));
    expect(new Set(answers.map((a: { conversionId: string }) => a.conversionId)).size).toBe(1);
    const refunds = [1000, 3000].map((total) => stripeEvent("charge.refunded", charge({ payment_intent: "pi_c", amount_refunded: total })));
    await Promise.all([...refunds, ...refunds].map(async (e) => okJson(await sendStripe(t, f.program.id, e))));
    expect(await conversions(t)).toMatchObject([{ amount: 5000, refunded: 3000 }]);
    expect(await commissions(t)).toMatchObject([{ amount: 400 }]); // 20% of the 20.00 left
    expect(await countRows(t, "stripe_events")).toBe(3);
  });

  it("other event types answer 200 and are ignored", async () => {
    const body = await okJson(await sendStripe(t, f.program.id, stripeEvent("customer.created", { id: "cus_1", object: "customer" })));
    expect(body).toMatchObject({ outcome: "ignored", conversionId: null });
    expect(await countRows(t, "conversions")).toBe(0);
    const unknown = await okJson(await sendStripe(t, f.program.id, stripeEvent("charge.refunded", charge({ payment_intent: "pi_nobody", amount_refunded: 100 }))));
    expect(unknown.outcome).toBe("ignored");
  });

  it("lists received events with pages, and the API document has the routes", async () => {
    for (let i = 0; i < 3; i++) {
      t.clock.now += 1000;
      await okJson(await sendStripe(t, f.program.id, stripeEvent("customer.updated", { id: `cus_${i}`, object: "customer" })));
    }
    const one = await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe/events?limit=2`, { key: f.vendorKey }));
    expect(one.data).toHaveLength(2);
    const two = await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe/events?limit=2&cursor=${one.nextCursor}`, { key: f.vendorKey }));
    expect(two).toMatchObject({ nextCursor: null });
    expect(two.data).toHaveLength(1);
    const doc = await okJson(await t.request("/api/openapi.json"));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([
      "/api/v1/programs/{id}/integrations/stripe", "/api/v1/programs/{id}/integrations/stripe/events", "/v1/integrations/stripe/{programId}",
    ]));
    expect(Object.keys(doc.paths["/api/v1/programs/{id}/integrations/stripe"])).toEqual(expect.arrayContaining(["put", "get"]));
  });
});
