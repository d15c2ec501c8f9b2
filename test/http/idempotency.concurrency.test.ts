import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, createFixture, createTestApp, postConversion, sqlRows, type TestApp } from "../helpers/app";

describe("concurrent postbacks", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("50 identical POST /v1/conversions at once: one 201, 49 200, one conversion and one commission", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const body = { orderId: "race-1", event: "sale", amount: "49.99", clickId, customerId: "cus_race" };
    const responses = await Promise.all(Array.from({ length: 50 }, () => postConversion(t, f.postbackKey, body)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    const winner = bodies[statuses.indexOf(201)];
    for (const b of bodies) expect(b).toEqual(winner);
    expect(winner).toMatchObject({ status: "attributed", commission: { amount: "10.00", status: "pending" } });
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await countRows(t, "commissions")).toBe(1);
    expect(await countRows(t, "customers")).toBe(1);
  });

  it("50 identical GET postbacks at once behave the same", async () => {
    const f = await createFixture(t);
    const q = new URLSearchParams({ key: f.postbackKey, order: "race-g", event: "sale", amount: "10", coupon: "ANNA10" });
    const statuses = (await Promise.all(Array.from({ length: 50 }, () => t.request(`/v1/postback?${q}`)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await countRows(t, "commissions")).toBe(1);
  });

  it("concurrent postbacks of one order with different amounts: one wins, the others conflict", async () => {
    const f = await createFixture(t);
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => postConversion(t, f.postbackKey, { orderId: "race-2", event: "sale", amount: String(10 + i), coupon: "ANNA10" })));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await countRows(t, "commissions")).toBe(1);
  });

  it("concurrent refunds with one Idempotency-Key refund once", async () => {
    const f = await createFixture(t);
    expect((await postConversion(t, f.postbackKey, { orderId: "r1", event: "sale", amount: "100.00", coupon: "ANNA10" })).status).toBe(201);
    const responses = await Promise.all(Array.from({ length: 8 }, () =>
      t.request("/v1/conversions/refund", { method: "POST", key: f.postbackKey, json: { orderId: "r1", amount: "10.00" }, headers: { "idempotency-key": "once" } })));
    const statuses = responses.map((r) => r.status);
    expect(statuses).toContain(200);
    for (const s of statuses) expect([200, 409]).toContain(s);
    for (const r of responses) if (r.status === 200) expect(await r.json()).toMatchObject({ orderId: "r1", refunded: "10.00", commission: { amount: "18.00" } });
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 1000 }]);
    expect(await sqlRows(t, "SELECT amount FROM commissions")).toEqual([{ amount: 1800 }]);
    // and a later replay answers as the first time
    const later = await t.request("/v1/conversions/refund", { method: "POST", key: f.postbackKey, json: { orderId: "r1", amount: "10.00" }, headers: { "idempotency-key": "once" } });
    expect(later.status).toBe(200);
    expect(await later.json()).toMatchObject({ refunded: "10.00" });
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 1000 }]);
  });
  it("concurrent partial refunds without a key never refund more than the amount", async () => {
    const f = await createFixture(t);
    expect((await postConversion(t, f.postbackKey, { orderId: "r1", event: "sale", amount: "100.00", coupon: "ANNA10" })).status).toBe(201);
    const responses = await Promise.all(Array.from({ length: 12 }, () => t.request("/v1/conversions/refund", { method: "POST", key: f.postbackKey, json: { orderId: "r1", amount: "10.00" } })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 400)).toHaveLength(2);
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 10000 }]);
    expect(await sqlRows(t, "SELECT amount, status FROM commissions")).toEqual([{ amount: 0, status: "reversed" }]);
  });
});
