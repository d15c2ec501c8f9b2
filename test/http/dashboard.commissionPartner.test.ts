import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, okJson, postConversion, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Commissions → "Partner": one partner's commissions (GET /api/v1/commissions?partnerId=), on
// the page and in its CSV, so a manager can review one partner's queue.

describe("commissions of one partner in the dashboard", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let boId = "";
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    boId = (await addPartner(t, f.vendorKey, f.program.id, { name: "Bo Second", email: "bo@example.com", coupon: "BO10" })).partner.id;
    await okJson(await postConversion(t, f.postbackKey, { orderId: "a-1", event: "sale", amount: "20.00", currency: "USD", coupon: "ANNA10" }), 201);
    await okJson(await postConversion(t, f.postbackKey, { orderId: "b-1", event: "sale", amount: "30.00", currency: "USD", coupon: "BO10" }), 201);
  });
  afterEach(async () => { await t.close(); });

  it("happy: the partner picker shows only that partner's commissions, and the CSV is the same filter", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    const page = await s.get(`/app/p/${f.program.id}/commissions?status=all&partner=${boId}`);
    expect(page.html).toMatch(new RegExp(`<option value="${boId}" selected`));
    const rows = [...page.html.matchAll(/<tr[^>]*>([^]*?)<\/tr>/g)].map((m) => textOf(m[1]!)).slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain("Bo Second");
    const csv = (await s.get(`/app/p/${f.program.id}/commissions?status=all&partner=${boId}&format=csv&table=commissions`)).html.trim().split("\r\n");
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain("Bo Second");
    expect((await s.get(`/app/p/${f.program.id}/commissions?status=all&format=csv&table=commissions`)).html.trim().split("\r\n")).toHaveLength(3);
  });

  it("error: an unknown partner id shows no commission rather than all", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    expect(textOf((await s.get(`/app/p/${f.program.id}/commissions?status=all&partner=ptn_nope`)).html)).toContain("No commissions here.");
  });

  it("security: another vendor's partner id shows none of its commissions here", async () => {
    const other = await createFixture(t);
    await okJson(await postConversion(t, other.postbackKey, { orderId: "o-1", event: "sale", amount: "99.00", currency: "USD", coupon: "ANNA10" }), 201);
    const s = await dashboardSession(t, "app", f.vendorKey);
    const text = textOf((await s.get(`/app/p/${f.program.id}/commissions?status=all&partner=${other.partner.id}`)).html);
    expect(text).toContain("No commissions here.");
    expect((await s.get(`/app/p/${other.program.id}/commissions`)).status).toBe(404);
  });
});
