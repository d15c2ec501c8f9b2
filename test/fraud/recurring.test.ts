import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clickWith, createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";

// Recurring commissions (issue 12): a rule's durationMonths decides which of a customer's later
// conversions (attributed through the customer, as subscriptions renew) still earn.

const DAY = 86_400_000;

describe("recurring commissions: rule durations", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const setDuration = async (durationMonths: number | null) =>
    okJson(await t.request(`/api/v1/rules/${f.rule.id}`, { method: "PATCH", key: f.vendorKey, json: { durationMonths } }));
  const renewal = (orderId: string, daysAfter: number) =>
    postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "50.00", customerId: "cus_1", occurredAt: new Date(t.clock.now + daysAfter * DAY).toISOString() });

  async function firstSale() {
    const clickId = await clickWith(t, "anna");
    return okJson(await postConversion(t, f.postbackKey, { orderId: "inv-0", event: "sale", amount: "50.00", clickId, customerId: "cus_1" }), 201);
  }

  it("lifetime (null, the default) pays every renewal", async () => {
    expect(f.rule.durationMonths).toBeNull();
    await firstSale();
    const late = await okJson(await renewal("inv-late", 900), 201);
    expect(late).toMatchObject({ attribution: { via: "customer" }, commission: { amount: "10.00" } });
  });

  it("0 pays only the customer's first conversion; the explanation says why a renewal earned nothing", async () => {
    expect((await setDuration(0)).durationMonths).toBe(0);
    expect((await firstSale()).commission.amount).toBe("10.00");
    const next = await okJson(await renewal("inv-1", 30), 201);
    expect(next).toMatchObject({ status: "attributed", attribution: { partnerId: f.partner.id, via: "customer" }, commission: null });
    const explained = await okJson(await t.request(`/api/v1/conversions/${next.id}`, { key: f.vendorKey }));
    expect(explained.explanation.commission).toContain("pays only a customer's first conversion");
    expect(explained.explanation.commission).toContain(new Date(t.clock.now).toISOString().slice(0, 10));
  });

  it("N months pays renewals within N months of the first conversion, not after", async () => {
    await setDuration(3);
    await firstSale();
    expect((await okJson(await renewal("inv-2m", 60), 201)).commission.amount).toBe("10.00");
    const after = await okJson(await renewal("inv-4m", 125), 201);
    expect(after.commission).toBeNull();
    const explained = await okJson(await t.request(`/api/v1/conversions/${after.id}`, { key: f.vendorKey }));
    expect(explained.explanation.commission).toMatch(/pays for 3 months after a customer's first conversion/);
    // the explanation keeps what was decided, whatever the rule says later
    await setDuration(null);
    const again = await okJson(await t.request(`/api/v1/conversions/${after.id}`, { key: f.vendorKey }));
    expect(again.explanation.commission).toBe(explained.explanation.commission);
  });

  it("a conversion without a customer id always earns; durationMonths is checked", async () => {
    await setDuration(0);
    const noCustomer = await okJson(await postConversion(t, f.postbackKey, { orderId: "x-1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    expect(noCustomer.commission.amount).toBe("10.00");
    await expectError(await t.request(`/api/v1/rules/${f.rule.id}`, { method: "PATCH", key: f.vendorKey, json: { durationMonths: -1 } }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/rules/${f.rule.id}`, { method: "PATCH", key: f.vendorKey, json: { durationMonths: 1.5 } }), 400, "validation_failed");
    const created = await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "1.00", durationMonths: 12 } }), 201);
    expect(created.durationMonths).toBe(12);
  });
});
