import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, createFixture, createTestApp, expectError, okJson, sqlRows, type TestApp } from "../helpers/app";
import { checkoutSession, invoice, sendStripe, stripeEvent, stripeFixture, WHSEC } from "./events";

type Fixture = Awaited<ReturnType<typeof stripeFixture>>;

/** Nothing of a refused event may be stored: no event row, no conversion, no commission. */
async function nothingRecorded(t: TestApp) {
  expect(await countRows(t, "stripe_events")).toBe(0);
  expect(await countRows(t, "conversions")).toBe(0);
  expect(await countRows(t, "commissions")).toBe(0);
}

describe("Stripe webhook: refused events", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await stripeFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const checkout = async () => stripeEvent("checkout.session.completed", checkoutSession({ client_reference_id: await click(t, "anna") }));

  it("400 for a signature made with another secret, nothing recorded", async () => {
    const err = await expectError(await sendStripe(t, f.program.id, await checkout(), { secret: "whsec_someone_elses_secret_0123456789" }), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("Stripe-Signature");
    await nothingRecorded(t);
  });

  it("400 for a missing or malformed signature, or a body changed after signing", async () => {
    const event = await checkout();
    await expectError(await sendStripe(t, f.program.id, event, { signature: null }), 400, "validation_failed");
    await expectError(await sendStripe(t, f.program.id, event, { signature: "t=1,v1=abc" }), 400, "validation_failed");
    await expectError(await sendStripe(t, f.program.id, event, { signature: "nonsense" }), 400, "validation_failed");
    const signedFor = JSON.stringify(event);
    const header = (await import("stripe")).default.webhooks.generateTestHeaderString({ payload: signedFor, secret: WHSEC, timestamp: Math.floor(t.clock.now / 1000) });
    const tampered = signedFor.replace('"amount_total":4999', '"amount_total":999999');
    expect(tampered).not.toBe(signedFor);
    await expectError(await sendStripe(t, f.program.id, event, { signature: header, body: tampered }), 400, "validation_failed");
    await nothingRecorded(t);
  });

  it("400 for a signature older than 300 s (by the server's clock), accepted just inside it", async () => {
    const event = await checkout();
    const now = Math.floor(t.clock.now / 1000);
    const err = await expectError(await sendStripe(t, f.program.id, event, { timestamp: now - 301 }), 400, "validation_failed");
    expect(err.message).toMatch(/tolerance/i);
    await nothingRecorded(t);
    await okJson(await sendStripe(t, f.program.id, event, { timestamp: now - 290 }));
    expect(await countRows(t, "conversions")).toBe(1);
  });

  it("400 for a sale in another currency than the program's, nothing recorded", async () => {
    const event = stripeEvent("checkout.session.completed", checkoutSession({ currency: "eur", client_reference_id: await click(t, "anna") }));
    const err = await expectError(await sendStripe(t, f.program.id, event), 400, "validation_failed");
    expect(err.details?.[0]).toMatchObject({ path: "currency" });
    expect(err.message).toContain("USD");
    await expectError(await sendStripe(t, f.program.id, stripeEvent("invoice.paid", invoice({ currency: "gbp" }))), 400, "validation_failed");
    await nothingRecorded(t);
  });

  it("400 for a correctly signed body that is not a Stripe event, nothing recorded", async () => {
    for (const body of ["not json", "{}", JSON.stringify({ id: "evt_1", type: "x" }), "[]"]) {
      const err = await expectError(await sendStripe(t, f.program.id, null, { body }), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe("(body)");
    }
    await nothingRecorded(t);
  });

  it("keeps the postback's identifier limits (a click id over 200 characters is 400)", async () => {
    const event = stripeEvent("checkout.session.completed", checkoutSession({ metadata: { afx_click: "x".repeat(201) } }));
    const err = await expectError(await sendStripe(t, f.program.id, event), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("clickId");
    await nothingRecorded(t);
  });

  it("404 for an unknown program, and for a program that has not connected Stripe", async () => {
    await expectError(await sendStripe(t, "prg_nope", await checkout()), 404, "not_found");
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await sendStripe(t, other.program.id, await checkout()), 404, "not_found");
    await nothingRecorded(t);
  });

  it("PUT refuses what is not a signing secret, and needs a vendor key", async () => {
    for (const webhookSecret of ["", "sk_live_123456789", "whsec_", "whsec_short", "whsec_" + "a".repeat(201), "whsec_with space inside"]) {
      const err = await expectError(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", key: f.vendorKey, json: { webhookSecret } }), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe("webhookSecret");
    }
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", json: { webhookSecret: WHSEC } }), 401, "unauthorized");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", key: f.postbackKey, json: { webhookSecret: WHSEC } }), 403, "forbidden");
    // the stored secret still verifies
    await okJson(await sendStripe(t, f.program.id, await checkout()));
  });

  it("a replaced secret verifies from then on; the old one no longer does", async () => {
    const next = "whsec_rolled_9876543210zyxwvu";
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", key: f.vendorKey, json: { webhookSecret: next } }));
    await expectError(await sendStripe(t, f.program.id, await checkout()), 400, "validation_failed");
    await okJson(await sendStripe(t, f.program.id, await checkout(), { secret: next }));
    expect(await sqlRows(t, "SELECT count(*) AS n FROM stripe_integrations")).toEqual([{ n: 1 }]);
  });
});
