import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { settleProgram } from "../../src/services/prm/settle";
import { click, createFixture, createTestApp, okJson, postConversion, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp({ now: Date.UTC(2026, 4, 10, 12) });
  f = await createFixture(t, { program: { name: "Acme Shop" } });
});
afterEach(() => t.close());

const stageOf = async (id: string) => okJson(await t.request(`/api/v1/partners/${id}`, { key: f.vendorKey }));

describe("the partner journey, from application to first commission", () => {
  it("moves interest → recruitment → activation → investment → devotion, and the KPIs follow", async () => {
    const applied = await okJson(await t.request("/v1/applications", { method: "POST", key: f.publicKey, json: { name: "Jo", email: "jo@example.net", source: "podcast" } }), 201);
    const pending = await okJson(await t.request(`/api/v1/applications/${applied.id}`, { key: f.vendorKey }));
    expect(pending.stage).toBe("interest");
    let kpis = await okJson(await t.request(`/api/v1/programs/${f.program.id}/kpis`, { key: f.vendorKey }));
    expect(kpis.partners.byStage.interest).toBe(1);

    const { partner } = await okJson(await t.request(`/api/v1/applications/${applied.id}/approve`, { method: "POST", key: f.vendorKey }));
    expect((await stageOf(partner.id)).stage).toBe("recruitment");
    const link = await okJson(await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: partner.id, destination: "https://shop.example.com/x", slug: "jo-link" } }), 201);

    // first commission this month
    const first = await okJson(await postConversion(t, f.postbackKey, { event: "sale", orderId: "J-1", amount: "100.00", currency: "USD", clickId: await click(t, link.slug) }), 201);
    expect(first.status).toBe("attributed");
    expect(first.commission.amount).toBe("20.00");
    const act = await stageOf(partner.id);
    expect(act.stage).toBe("activation");
    expect(act.stageReason).toContain("first attributed conversion");

    kpis = await okJson(await t.request(`/api/v1/programs/${f.program.id}/kpis?from=2026-05-01&to=2026-05-31`, { key: f.vendorKey }));
    expect(kpis.applications).toEqual({ submitted: 1, approved: 1, rejected: 0, approvalRate: "1" });
    expect(kpis.partners.new).toBe(2); // Jo and the fixture's Anna (created by the manager)
    expect(kpis.partners.active).toBe(1);
    expect(kpis.activationRate).toBe("0.5");
    expect(kpis.medianDaysToFirstConversion).toBe(0);
    expect(kpis.joinSources).toEqual([{ source: "podcast", applications: 1, approved: 1 }]);
    expect(kpis.partners.byStage).toEqual({ interest: 0, recruitment: 1, activation: 1, investment: 0, devotion: 0 });

    // a conversion last month as well (by coupon: no click window): 2 of the last 3 months
    await okJson(await t.request(`/api/v1/partners/${partner.id}`, { method: "PATCH", key: f.vendorKey, json: { coupon: "JO5" } }));
    const old = (orderId: string, at: number) => postConversion(t, f.postbackKey, { event: "sale", orderId, amount: "10.00", currency: "USD", coupon: "JO5", occurredAt: new Date(at).toISOString() });
    expect((await okJson(await old("J-0", Date.UTC(2026, 3, 28)), 201)).status).toBe("attributed");
    expect((await stageOf(partner.id)).stage).toBe("investment");
    // and the month before: each of the last 3 months, but still the entry tier: investment, not devotion
    await okJson(await old("J-m2", Date.UTC(2026, 2, 31, 23)), 201);
    const inv = await stageOf(partner.id);
    expect(inv.stage).toBe("investment");
    expect(inv.stageReason).toContain("entry tier");
    // a tier above the entry tier, reached at settle: devotion
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { method: "POST", key: f.vendorKey, json: { name: "Gold", rank: 1, metric: "conversions", threshold: 2, windowDays: 90 } }), 201);
    await settleProgram(t.db, f.program.id, t.clock.now);
    expect((await stageOf(partner.id)).stage).toBe("devotion");
    const list = await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners?stage=devotion`, { key: f.vendorKey }));
    expect(list.data.map((p: { id: string }) => p.id)).toEqual([partner.id]);
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners?stage=recruitment`, { key: f.vendorKey }))).data.map((p: { name: string }) => p.name)).toEqual(["Anna"]);

    // in July nothing new: of May, June and July only May had conversions → activation
    t.clock.now = Date.UTC(2026, 6, 2);
    expect((await stageOf(partner.id)).stage).toBe("activation");
  });
});
