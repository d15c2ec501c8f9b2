import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, okJson, sqlRows, createTestApp, type TestApp } from "../helpers/app";
import { charge, checkoutSession, invoice, sendStripe, stripeEvent, stripeFixture } from "./events";

type Fixture = Awaited<ReturnType<typeof stripeFixture>>;

// An applied Stripe event's row is written in the transaction of the conversion or refund it
// causes. A failure between them (here: the database refusing the event's row, as a crash at
// that point would leave it) leaves neither, so Stripe's redelivery applies the event once and
// records what it became.
describe("Stripe events and a failure half-way", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await stripeFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const failRows = () => sqlRows(t, "CREATE TRIGGER fail_stripe_rows BEFORE INSERT ON stripe_events BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  const healRows = () => sqlRows(t, "DROP TRIGGER fail_stripe_rows");
  const state = async () => ({
    conversions: await sqlRows(t, "SELECT order_id, amount, refunded FROM conversions ORDER BY created_at, id"),
    commissions: await sqlRows(t, "SELECT amount, status FROM commissions ORDER BY created_at, id"),
    stripeRows: await sqlRows(t, "SELECT id, outcome, detail FROM stripe_events ORDER BY created_at, id"),
    outbox: await sqlRows(t, "SELECT type FROM events WHERE object_type IN ('conversion', 'commission') ORDER BY created_at, rowid"),
  });

  it("a checkout that failed half-way left nothing; its redelivery records the sale once", async () => {
    const clickId = await click(t, "anna");
    const event = stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId, amount_total: 5000 }));
    await failRows();
    expect((await sendStripe(t, f.program.id, event)).status).toBe(500);
    expect(await state()).toEqual({ conversions: [], commissions: [], stripeRows: [], outbox: [] });
    await healRows();
    expect(await okJson(await sendStripe(t, f.program.id, event))).toMatchObject({ duplicate: false, outcome: "conversion" });
    expect(await okJson(await sendStripe(t, f.program.id, event))).toMatchObject({ duplicate: true, outcome: "conversion" });
    const s = await state();
    expect(s.conversions).toHaveLength(1);
    expect(s.commissions).toEqual([{ amount: 1000, status: "pending" }]);
    expect(s.stripeRows).toMatchObject([{ id: event.id, outcome: "conversion" }]);
    expect(s.outbox.map((e) => e.type)).toEqual(["conversion.created", "commission.created"]);
  });

  it("a renewal invoice that failed half-way is, redelivered, the sale it is (not an invoice seen before)", async () => {
    const clickId = await click(t, "anna");
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId, customer: "cus_r", amount_total: 2000 }))));
    t.clock.now += 30 * 86_400_000;
    const renewal = stripeEvent("invoice.paid", invoice({ id: "in_renew", customer: "cus_r", amount_paid: 2000 }));
    await failRows();
    expect((await sendStripe(t, f.program.id, renewal)).status).toBe(500);
    expect(await countRows(t, "conversions")).toBe(1);
    await healRows();
    expect(await okJson(await sendStripe(t, f.program.id, renewal))).toMatchObject({ duplicate: false, outcome: "conversion" });
    expect((await state()).conversions.map((c) => c.order_id)).toContain("in_renew");
    expect(await countRows(t, "conversions")).toBe(2);
    expect(await countRows(t, "commissions")).toBe(2);
  });

  it("a refund that failed half-way refunded nothing; its redelivery refunds once and says how much", async () => {
    const clickId = await click(t, "anna");
    await okJson(await sendStripe(t, f.program.id, stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: clickId, amount_total: 5000, payment_intent: "pi_x" }))));
    t.clock.now += 1000;
    const refund = stripeEvent("charge.refunded", charge({ payment_intent: "pi_x", amount: 5000, amount_refunded: 2000 }));
    await failRows();
    expect((await sendStripe(t, f.program.id, refund)).status).toBe(500);
    expect((await state()).conversions).toMatchObject([{ refunded: 0 }]);
    await healRows();
    const applied = await okJson(await sendStripe(t, f.program.id, refund));
    expect(applied).toMatchObject({ duplicate: false, outcome: "refund" });
    expect(applied.detail).toContain("refunded 20.00 USD");
    expect(await okJson(await sendStripe(t, f.program.id, refund))).toMatchObject({ duplicate: true });
    const s = await state();
    expect(s.conversions).toMatchObject([{ amount: 5000, refunded: 2000 }]);
    expect(s.commissions).toEqual([{ amount: 600, status: "pending" }]);
    expect(s.outbox.map((e) => e.type)).toEqual(["conversion.created", "commission.created", "conversion.refunded", "commission.updated"]);
  });
});
