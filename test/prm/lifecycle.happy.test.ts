import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, type TestApp } from "../helpers/app";

const DAY = 86_400_000;

describe("commission lifecycle: hold → pending → approved → paid", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: Date.UTC(2026, 10, 1, 12) }); });
  afterEach(async () => { await t.close(); });

  it("approves a held pixel commission, settles it after the hold, pays it out", async () => {
    const f = await createFixture(t, { program: { holdDays: 7, minPayout: "5.00" } });
    const clickId = await click(t, "anna");
    const px = await t.request(`/px.gif?pk=${f.publicKey}&order=o1&amount=100.00&click=${clickId}`);
    expect(px.status).toBe(200);
    const [held] = (await (await t.request(`/api/v1/commissions?programId=${f.program.id}&status=hold`, { key: f.vendorKey })).json()).data;
    expect(held).toMatchObject({ amount: "20.00", status: "hold" });

    const approve = await t.request(`/api/v1/commissions/${held.id}/approve`, { method: "POST", key: f.vendorKey });
    expect(approve.status).toBe(200);
    expect((await approve.json()).status).toBe("pending");
    expect((await t.request(`/api/v1/commissions/${held.id}/approve`, { method: "POST", key: f.vendorKey })).status).toBe(409);

    // not yet due: settle approves nothing
    const early = await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} });
    expect(await early.json()).toEqual({ approved: 0, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 });
    t.clock.now += 8 * DAY;
    const settle = await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey });
    expect(await settle.json()).toEqual({ approved: 1, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 });
    expect(await (await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey })).json()).toEqual({ approved: 0, tierChanges: 0, expiredDeals: 0, timedOutLeads: 0 });

    const batch = await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey });
    expect(batch.status).toBe(201);
    const { id: batchId, payouts } = await batch.json();
    expect(payouts).toMatchObject([{ partnerId: f.partner.id, amount: "20.00", currency: "USD", commissionCount: 1, status: "pending" }]);
    const again = await (await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey })).json();
    expect(again.payouts).toEqual([]);

    const detail = await (await t.request(`/api/v1/payouts/${payouts[0].id}`, { key: f.vendorKey })).json();
    expect(detail.lines).toMatchObject([{ type: "commission", id: held.id, amount: "20.00" }]);
    const csv = await t.request(`/api/v1/payouts/${payouts[0].id}.csv`, { key: f.vendorKey });
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(await csv.text()).toContain("Anna,anna@example.com,20.00,USD,1");
    const batchCsv = await (await t.request(`/api/v1/payout-batches/${batchId}.csv`, { key: f.vendorKey })).text();
    expect(batchCsv.trim().split("\r\n")).toHaveLength(2);

    expect((await t.request(`/api/v1/payouts/${payouts[0].id}/paid`, { method: "POST", key: f.vendorKey })).status).toBe(200);
    expect((await t.request(`/api/v1/payouts/${payouts[0].id}/paid`, { method: "POST", key: f.vendorKey })).status).toBe(409);
    const me = await (await t.request("/api/v1/me", { key: f.partner.apiKey })).json();
    expect(me.balance).toEqual({ hold: "0.00", pending: "0.00", approved: "0.00", paid: "20.00" });
  });
});
