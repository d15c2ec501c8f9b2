import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, postConversion, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Conversions → "Order id": one sale found by its order id, as GET /api/v1/conversions?orderId=
// does; its CSV is the same filter.

describe("finding a conversion by its order id in the dashboard", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    for (const orderId of ["ord-1001", "ord-1002"]) await okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "20.00", currency: "USD", coupon: "ANNA10" }), 201);
  });
  afterEach(async () => { await t.close(); });

  it("happy: the order id field shows only that conversion, on the page and in its CSV", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    const page = await s.get(`/app/p/${f.program.id}/conversions?order=ord-1002`);
    expect(page.html).toMatch(/id="f-order" name="order" value="ord-1002"/);
    const text = textOf(page.html);
    expect(text).toContain("ord-1002");
    expect(text).not.toContain("ord-1001");
    const csv = (await s.get(`/app/p/${f.program.id}/conversions?order=ord-1002&format=csv&table=conversions`)).html.trim().split("\r\n");
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain("ord-1002");
  });

  it("error: an order id that matches nothing says so (exact match, not a prefix)", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    const text = textOf((await s.get(`/app/p/${f.program.id}/conversions?order=ord-10`)).html);
    expect(text).toContain("No conversions match.");
  });

  it("security: another vendor's conversion with the same order id is not shown", async () => {
    const other = await createFixture(t);
    await okJson(await postConversion(t, other.postbackKey, { orderId: "ord-shared", event: "sale", amount: "99.00", currency: "USD", coupon: "ANNA10" }), 201);
    const s = await dashboardSession(t, "app", f.vendorKey);
    expect(textOf((await s.get(`/app/p/${f.program.id}/conversions?order=ord-shared`)).html)).toContain("No conversions match.");
    expect((await s.get(`/app/p/${other.program.id}/conversions?order=ord-shared`)).status).toBe(404);
  });
});
