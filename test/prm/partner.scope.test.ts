import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, clickWith, createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 10, 10, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("a partner sees only its own data", () => {
  let t: TestApp;
  let f: Fixture;
  let bob: { id: string; apiKey: string };
  let bobLink: { id: string; slug: string };
  let annaConv: { id: string; commission: { id: string } };
  let bobConv: { id: string; commission: { id: string } };
  let bobPayout: { id: string; batchId: string };

  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { minPayout: "0" } });
    const added = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB" }, { slug: "bob-link" });
    bob = added.partner;
    bobLink = added.link!;
    // traffic and sales for both
    const annaClick = await clickWith(t, "anna", { ip: "198.51.100.1", country: "DE" });
    await clickWith(t, "anna", { ip: "198.51.100.2" });
    const bobClick = await clickWith(t, "bob-link", { ip: "198.51.100.3", country: "FR" });
    await t.flushClicks();
    annaConv = await okJson(await postConversion(t, f.postbackKey, { orderId: "a1", event: "sale", amount: "100.00", clickId: annaClick }), 201);
    bobConv = await okJson(await postConversion(t, f.postbackKey, { orderId: "b1", event: "sale", amount: "30.00", clickId: bobClick }), 201);
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} }));
    const batch = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    bobPayout = batch.payouts.find((p: { partnerId: string }) => p.partnerId === bob.id);
    await okJson(await t.request(`/api/v1/payouts/${bobPayout.id}/paid`, { method: "POST", key: f.vendorKey }));
  });
  afterEach(async () => { await t.close(); });

  const me = async (path: string, key: string) => okJson(await t.request(`/api/v1/me${path}`, { key }));

  it("its profile and balance", async () => {
    expect(await me("", f.partner.apiKey)).toMatchObject({ id: f.partner.id, name: "Anna", programId: f.program.id, balance: { hold: "0.00", pending: "0.00", approved: "20.00", paid: "0.00" } });
    expect(await me("", bob.apiKey)).toMatchObject({ id: bob.id, name: "Bob", balance: { hold: "0.00", pending: "0.00", approved: "0.00", paid: "6.00" } });
  });

  it("its links", async () => {
    const anna = (await me("/links", f.partner.apiKey)).data;
    expect(anna.map((l: { id: string }) => l.id)).toEqual([f.link.id]);
    expect(anna[0]).toMatchObject({ clicks: 2, botClicks: 0 });
    const bobs = (await me("/links", bob.apiKey)).data;
    expect(bobs.map((l: { id: string }) => l.id)).toEqual([bobLink.id]);
    expect(bobs[0]).toMatchObject({ clicks: 1 });
  });

  it("its commissions", async () => {
    expect((await me("/commissions", f.partner.apiKey)).data.map((c: { id: string }) => c.id)).toEqual([annaConv.commission.id]);
    expect((await me("/commissions", bob.apiKey)).data.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([[bobConv.commission.id, "paid"]]);
    expect((await me("/commissions?status=approved", bob.apiKey)).data).toEqual([]);
  });

  it("its report", async () => {
    const q = "?from=2026-11-10&to=2026-11-10";
    expect((await me(`/report${q}`, f.partner.apiKey)).totals).toMatchObject({ clicks: 2, uniqueClicks: 2, conversions: 1, revenue: "100.00", commission: "20.00" });
    expect((await me(`/report${q}`, bob.apiKey)).totals).toMatchObject({ clicks: 1, uniqueClicks: 1, conversions: 1, revenue: "30.00", commission: "6.00" });
    for (const g of ["partner", "link", "country", "device", "sub1"]) {
      const rows = (await me(`/report${q}&groupBy=${g}`, bob.apiKey)).rows as { clicks: number; conversions: number; revenue: string }[];
      expect(rows.reduce((s, r) => s + r.clicks, 0), g).toBe(1);
      expect(rows.reduce((s, r) => s + r.conversions, 0), g).toBe(1);
    }
    // the program's report has both
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/report${q}`, { key: f.vendorKey }))).totals).toMatchObject({ clicks: 3, conversions: 2, revenue: "130.00" });
  });

  it("its payouts", async () => {
    expect((await me("/payouts", bob.apiKey)).data).toEqual([expect.objectContaining({ id: bobPayout.id, partnerId: bob.id, amount: "6.00", status: "paid" })]);
    const annas = (await me("/payouts", f.partner.apiKey)).data;
    expect(annas).toHaveLength(1);
    expect(annas[0]).toMatchObject({ partnerId: f.partner.id, amount: "20.00", status: "pending" });
  });

  it("403 on every vendor endpoint, also for its own objects", async () => {
    const key = f.partner.apiKey;
    const p = f.program.id;
    const endpoints: [string, string, unknown?][] = [
      ["GET", "/api/v1/programs"], ["GET", `/api/v1/programs/${p}`], ["GET", `/api/v1/programs/${p}/partners`],
      ["GET", `/api/v1/programs/${p}/tiers`], ["POST", `/api/v1/programs/${p}/tiers`, { name: "T", rank: 1, metric: "revenue", threshold: "1" }],
      ["POST", `/api/v1/programs/${p}/rules`, { event: "sale", type: "percent", value: "90" }],
      ["GET", `/api/v1/programs/${p}/partners/${f.partner.id}/tier-changes`], ["POST", `/api/v1/programs/${p}/settle`, {}],
      ["GET", `/api/v1/programs/${p}/report`], ["GET", `/api/v1/programs/${p}/report?format=csv`],
      ["GET", "/api/v1/commissions"], ["GET", `/api/v1/commissions?partnerId=${bob.id}`],
      ["POST", `/api/v1/commissions/${annaConv.commission.id}/approve`], ["POST", `/api/v1/commissions/${bobConv.commission.id}/reject`],
      ["POST", "/api/v1/commissions/approve", { ids: [annaConv.commission.id] }], ["POST", "/api/v1/commissions/reject", { ids: [bobConv.commission.id] }],
      ["GET", "/api/v1/conversions"], ["GET", `/api/v1/conversions/${annaConv.id}`], ["GET", `/api/v1/conversions/${bobConv.id}`],
      ["POST", `/api/v1/programs/${p}/payouts`], ["GET", `/api/v1/payouts/${bobPayout.id}`], ["GET", `/api/v1/payouts/${bobPayout.id}.csv`],
      ["POST", `/api/v1/payouts/${bobPayout.id}/paid`], ["GET", `/api/v1/payout-batches/${bobPayout.batchId}`], ["GET", `/api/v1/payout-batches/${bobPayout.batchId}.csv`],
      ["GET", `/api/v1/links?programId=${p}`], ["GET", `/api/v1/links/${bobLink.id}`],
    ];
    for (const [method, path, json] of endpoints) {
      const res = await t.request(path, { method, key, ...(json === undefined ? {} : { json }) });
      await expectError(res, 403, "forbidden").catch((err: Error) => { throw new Error(`${method} ${path}: ${err.message}`); });
    }
    // nothing changed
    expect((await me("/commissions", f.partner.apiKey)).data[0].status).toBe("approved");
    expect((await okJson(await t.request(`/api/v1/programs/${p}/tiers`, { key: f.vendorKey }))).data).toHaveLength(1);
  });

  it("another program's partner key reaches none of this program's data", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    expect((await me("/links", other.partner.apiKey)).data.map((l: { id: string }) => l.id)).toEqual([other.link.id]);
    expect((await me("/commissions", other.partner.apiKey)).data).toEqual([]);
    expect((await me("/payouts", other.partner.apiKey)).data).toEqual([]);
    expect((await me("/report?from=2026-11-10&to=2026-11-10", other.partner.apiKey)).totals).toMatchObject({ clicks: 0, conversions: 0, revenue: "0.00" });
  });
});
