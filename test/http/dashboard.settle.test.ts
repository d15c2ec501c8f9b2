import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createFixture, createTestApp, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Payouts → "Settle now": the scheduled settle (approve pending commissions whose refund window
// has passed) run for one program from the dashboard, so a manager need not wait for the timer
// or call POST /api/v1/programs/{id}/settle before a payout run.

const T0 = Date.UTC(2026, 5, 10, 12, 0, 0);

describe("settling a program from the payouts page", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;

  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { holdDays: 0, minPayout: "1.00" } });
  });
  afterEach(async () => { await t.close(); });

  const status = async () => (await sqlRows(t, "select status from commissions where program_id = ?", [f.program.id])).map((r) => r["status"]);

  it("happy: offers Settle now while commissions are pending, approves the due ones, then offers the payout run", async () => {
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o-1", event: "sale", amount: "100.00", currency: "USD", coupon: "ANNA10" }), 201);
    expect(await status()).toEqual(["pending"]);
    const s = await dashboardSession(t, "app", f.vendorKey);
    const before = await s.get(`/app/p/${f.program.id}/payouts`);
    expect(textOf(before.html)).toContain("1 commission waits for the 0-day refund window");
    expect(before.html).toContain(`action="/app/p/${f.program.id}/payouts/settle"`);
    expect(before.html).not.toContain(">Create payouts<");
    t.clock.now += 1000;
    const res = await s.post(`/app/p/${f.program.id}/payouts/settle`);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/app/p/${f.program.id}/payouts`);
    expect(await status()).toEqual(["approved"]);
    const after = await s.get(`/app/p/${f.program.id}/payouts`);
    expect(textOf(after.html)).toContain("Settled: 1 commission approved for payout.");
    expect(after.html).toContain(">Create payouts<");
    expect(after.html).not.toContain("/payouts/settle");
  });

  it("error: a commission still inside its refund window stays pending, and the page says nothing was due", async () => {
    const vendor = await (await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Slow" } })).json();
    const s = await dashboardSession(t, "app", vendor.apiKey);
    const program = await okJson(await t.request(`/api/v1/programs`, { method: "POST", key: vendor.apiKey, json: { name: "Slow", allowedDomains: ["shop.example.com"], holdDays: 30, minConversionSeconds: 0 } }), 201);
    await okJson(await t.request(`/api/v1/programs/${program.id}/rules`, { method: "POST", key: vendor.apiKey, json: { event: "sale", type: "percent", value: "10" } }), 201);
    await okJson(await t.request(`/api/v1/programs/${program.id}/partners`, { method: "POST", key: vendor.apiKey, json: { name: "Bo", email: "bo@example.com", coupon: "BO10" } }), 201);
    await okJson(await postConversion(t, program.postbackKey, { orderId: "o-2", event: "sale", amount: "100.00", currency: "USD", coupon: "BO10" }), 201);
    await s.post(`/app/p/${program.id}/payouts/settle`);
    expect(textOf((await s.get(`/app/p/${program.id}/payouts`)).html)).toContain("Settled: no commission's refund window has passed yet.");
    expect((await sqlRows(t, "select status from commissions where program_id = ?", [program.id])).map((r) => r["status"])).toEqual(["pending"]);
  });

  it("security: another vendor's program is 404 and is not settled", async () => {
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o-3", event: "sale", amount: "100.00", currency: "USD", coupon: "ANNA10" }), 201);
    const other = await (await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Other" } })).json();
    const s = await dashboardSession(t, "app", other.apiKey);
    t.clock.now += 1000;
    expect((await s.post(`/app/p/${f.program.id}/payouts/settle`)).status).toBe(404);
    expect(await status()).toEqual(["pending"]);
  });
});
