import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clickWith, createFixture, createTestApp, expectError, okJson, postConversion, postRefund, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 10, 12);

describe("payouts below minimum, batch paid, conversion and click lists, explanation", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); f = await createFixture(t, { program: { minPayout: "10.00" } }); });
  afterEach(async () => { await t.close(); });

  const sale = async (orderId: string, amount: string, extra: Record<string, unknown> = { coupon: "ANNA10" }) =>
    okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount, ...extra }), 201);
  const settle = () => t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} });
  const payouts = (key = f.vendorKey) => t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key });

  it("no partner at minPayout: 200, no batch, belowMinimum; then a 201 batch that a single call marks paid", async () => {
    await sale("o1", "20.00"); // 4.00
    await okJson(await settle());
    expect(await okJson(await payouts())).toEqual({ id: null, payouts: [], belowMinimum: [{ partnerId: f.partner.id, amount: "4.00", currency: "USD" }] });
    await sale("o2", "40.00"); // 8.00 more
    await okJson(await settle());
    const batch = await okJson(await payouts(), 201);
    expect(batch).toMatchObject({ id: expect.any(String), payouts: [expect.objectContaining({ amount: "12.00", status: "pending" })], belowMinimum: [] });
    const paid = await okJson(await t.request(`/api/v1/payout-batches/${batch.id}/paid`, { method: "POST", key: f.vendorKey }));
    expect(paid).toMatchObject({ id: batch.id, marked: 1, payouts: [expect.objectContaining({ status: "paid" })] });
    expect((await okJson(await t.request(`/api/v1/commissions?programId=${f.program.id}`, { key: f.vendorKey }))).data.every((c: { status: string }) => c.status === "paid")).toBe(true);
    await expectError(await t.request(`/api/v1/payout-batches/${batch.id}/paid`, { method: "POST", key: f.vendorKey }), 409, "conflict");
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await t.request(`/api/v1/payout-batches/${batch.id}/paid`, { method: "POST", key: other.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/payout-batches/${batch.id}/paid`, { method: "POST", key: f.partner.apiKey }), 403, "forbidden");
  });

  it("a refund of a paid commission shows its adjustment in the refund answer and the explanation, with honest arithmetic", async () => {
    const conv = await sale("o1", "50.00"); // 10.00
    await okJson(await settle());
    const batch = await okJson(await payouts(), 201);
    await okJson(await t.request(`/api/v1/payout-batches/${batch.id}/paid`, { method: "POST", key: f.vendorKey }));
    const refund = await okJson(await postRefund(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10.00" }));
    expect(refund.adjustment).toEqual({ id: expect.any(String), amount: "-2.00", currency: "USD", payoutId: null });
    const e = (await okJson(await t.request(`/api/v1/conversions/${conv.id}`, { key: f.vendorKey }))).explanation;
    expect(e.adjustments).toEqual([{ id: refund.adjustment.id, amount: "-2.00", currency: "USD", payoutId: null }]);
    expect(e.arithmetic).toContain("10.00 × 40.00 ÷ 50.00 = 8.00 USD");
    expect(e.arithmetic).not.toContain("= 10.00 USD;");
    expect(e.arithmetic).toContain("-2.00 USD");
    expect((await okJson(await postRefund(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "1.00" }))).adjustment.amount).toBe("-0.20");
  });

  it("the explanation keeps the window and model the conversion was attributed under", async () => {
    const conv = await sale("o1", "10.00");
    await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { cookieDays: 7, attribution: "first_click" } }));
    const e = (await okJson(await t.request(`/api/v1/conversions/${conv.id}`, { key: f.vendorKey }))).explanation;
    expect(e.window).toEqual({ cookieDays: 30, model: "last_click" });
  });

  it("GET /api/v1/conversions filters by orderId and by UTC days (to inclusive)", async () => {
    await sale("day0", "1.00");
    t.clock.now += DAY;
    await sale("day1", "1.00");
    t.clock.now += DAY;
    await sale("day2", "1.00");
    const orders = async (q: string) => (await okJson(await t.request(`/api/v1/conversions?${q}`, { key: f.vendorKey }))).data.map((c: { orderId: string }) => c.orderId);
    expect(await orders("orderId=day1")).toEqual(["day1"]);
    expect(await orders("from=2026-11-11&to=2026-11-11")).toEqual(["day1"]);
    expect(await orders("from=2026-11-11")).toEqual(["day2", "day1"]);
    expect(await orders("to=2026-11-10")).toEqual(["day0"]);
    await expectError(await t.request("/api/v1/conversions?from=2026-11-31", { key: f.vendorKey }), 400, "validation_failed");
  });

  it("GET /api/v1/links/:id/clicks: newest first, paged, by UTC day, never an IP or visitor hash", async () => {
    for (let i = 0; i < 3; i++) {
      await clickWith(t, "anna", { query: `?sub1=s${i}`, ip: "198.51.100.9", country: "DE" });
      t.clock.now += 1000;
    }
    t.clock.now += DAY;
    await clickWith(t, "anna", { query: "?sub1=next" });
    await t.flushClicks();
    const path = `/api/v1/links/${f.link.id}/clicks`;
    const first = await okJson(await t.request(`${path}?from=2026-11-10&to=2026-11-11&limit=2`, { key: f.vendorKey }));
    expect(first.data.map((c: { sub1: string }) => c.sub1)).toEqual(["next", "s2"]);
    expect(Object.keys(first.data[1]).sort()).toEqual(["at", "bot", "browser", "country", "device", "id", "os", "referrerHost", "sub1", "sub2", "sub3", "sub4", "sub5"].sort());
    expect(first.data[1]).toMatchObject({ country: "DE", bot: false, at: new Date(T0 + 2000).toISOString() });
    expect(JSON.stringify(first)).not.toContain("198.51.100.9");
    const second = await okJson(await t.request(`${path}?from=2026-11-10&to=2026-11-11&limit=2&cursor=${first.nextCursor}`, { key: f.vendorKey }));
    expect(second.data.map((c: { sub1: string }) => c.sub1)).toEqual(["s1", "s0"]);
    expect(second.nextCursor).toBeNull();
    expect((await okJson(await t.request(`${path}?from=2026-11-10&to=2026-11-10`, { key: f.vendorKey }))).data).toHaveLength(3);
    await expectError(await t.request(`${path}?from=2026-02-30`, { key: f.vendorKey }), 400, "validation_failed");
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await t.request(path, { key: other.vendorKey }), 404, "not_found");
    await expectError(await t.request(path, { key: f.partner.apiKey }), 403, "forbidden");
  });
});
