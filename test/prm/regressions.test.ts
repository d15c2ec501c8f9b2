import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseIsoDay } from "../../src/domain/dates";
import { click, createFixture, createTestApp, expectError, postConversion, postRefund, sqlRows, type TestApp } from "../helpers/app";

const DAY = 86_400_000;

describe("regressions found by review", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: Date.UTC(2026, 10, 1, 12) }); });
  afterEach(async () => { await t.close(); });

  it("a taken tier rank is 409, not 500 (drizzle wraps the UNIQUE error)", async () => {
    const f = await createFixture(t);
    const tier = { name: "Gold", rank: 1, metric: "revenue", threshold: "100" };
    expect((await t.request(`/api/v1/programs/${f.program.id}/tiers`, { method: "POST", key: f.vendorKey, json: tier })).status).toBe(201);
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { method: "POST", key: f.vendorKey, json: { ...tier, name: "Gold again", metric: "conversions", threshold: "1" } }), 409, "conflict");
  });

  it("a conversions threshold must be a whole number written as such", async () => {
    const f = await createFixture(t);
    for (const threshold of ["", " ", "0x10", "1e1", "1.5", "-1"]) {
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { method: "POST", key: f.vendorKey, json: { name: "X", rank: 2, metric: "conversions", threshold } }), 400, "validation_failed");
    }
  });

  it("impossible dates are not report dates", async () => {
    expect(parseIsoDay("2026-02-30", Date.now()).ok).toBe(false);
    expect(parseIsoDay("2026-13-01", Date.now()).ok).toBe(false);
    expect(parseIsoDay("2026-02-28", Date.now()).ok).toBe(true);
    const f = await createFixture(t);
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/report?from=2026-02-30&to=2026-03-05`, { key: f.vendorKey }), 400, "validation_failed");
  });

  it("refunding a commission already in an unpaid payout books an adjustment instead of shrinking what the payout pays", async () => {
    const f = await createFixture(t, { program: { holdDays: 0, minPayout: "0" } });
    const clickId = await click(t, "anna");
    expect((await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "100.00", clickId })).status).toBe(201);
    t.clock.now += DAY;
    await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey });
    const batch = await (await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey })).json();
    expect(batch.payouts[0].amount).toBe("20.00");
    expect((await postRefund(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00" })).status).toBe(200);
    const payout = await (await t.request(`/api/v1/payouts/${batch.payouts[0].id}`, { key: f.vendorKey })).json();
    expect(payout.amount).toBe("20.00");
    expect(payout.lines).toMatchObject([{ type: "commission", amount: "20.00" }]);
    expect(await sqlRows(t, "SELECT amount, payout_id FROM adjustments")).toEqual([{ amount: -1000, payout_id: null }]);
  });
});
