import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, createFixture, createTestApp, expectError, okJson, postConversion, postRefund, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";

// Contract, second round, "Limits on every input" (money, dates) and the CSV rule of the exports.

const T0 = Date.UTC(2026, 2, 10, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
async function signIn(t: TestApp, area: "app" | "portal", key: string): Promise<string> {
  const form = await t.request(`/${area}/login`);
  const res = await t.request(`/${area}/login`, {
    method: "POST", redirect: "manual",
    headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
  });
  return /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
}
const page = (t: TestApp, path: string, cookie: string) => t.request(path, { headers: { cookie: `afx_s=${cookie}` } });

describe("money limits", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("two pixels at the largest safe amount record nothing and every report keeps answering", async () => {
    for (const order of ["big-1", "big-2"]) {
      const clickId = await click(t, "anna");
      const res = await t.request(`/px.gif?${new URLSearchParams({ pk: f.publicKey, order, amount: "90071992547409.91", click: clickId })}`);
      expect(res.status).toBe(200);
    }
    expect(await countRows(t, "conversions")).toBe(0);
    const manager = await signIn(t, "app", f.vendorKey);
    const partner = await signIn(t, "portal", f.partner.apiKey);
    expect((await t.request(`/api/v1/programs/${f.program.id}/report`, { key: f.vendorKey })).status).toBe(200);
    expect((await t.request(`/api/v1/programs/${f.program.id}/report?format=csv`, { key: f.vendorKey })).status).toBe(200);
    expect((await t.request("/api/v1/me", { key: f.partner.apiKey })).status).toBe(200);
    expect((await t.request("/api/v1/me/report", { key: f.partner.apiKey })).status).toBe(200);
    expect((await page(t, `/app/p/${f.program.id}`, manager)).status).toBe(200);
    expect((await page(t, `/app/p/${f.program.id}/partners`, manager)).status).toBe(200);
    expect((await page(t, "/portal", partner)).status).toBe(200);
  });

  it("refuses an amount above 10^9 major units on the JSON postback, the GET postback and refunds", async () => {
    await expectError(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "1000000000.01", coupon: "ANNA10" }), 400, "validation_failed");
    await expectError(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: 90071992547409.91, coupon: "ANNA10" }), 400, "validation_failed");
    const get = await t.request(`/v1/postback?${new URLSearchParams({ key: f.postbackKey, order: "o2", event: "sale", amount: "1000000001", coupon: "ANNA10" })}`);
    await expectError(get, 400, "validation_failed");
    expect(await countRows(t, "conversions")).toBe(0);
    // the cap itself is allowed
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o3", event: "sale", amount: "1000000000.00", coupon: "ANNA10" }), 201);
    await expectError(await postRefund(t, f.postbackKey, { orderId: "o3", amount: "1000000000.01" }), 400, "validation_failed");
    expect(await sqlRows(t, "SELECT amount, refunded FROM conversions")).toEqual([{ amount: 100_000_000_000, refunded: 0 }]);
  });

  it("the pixel above the cap records nothing", async () => {
    const clickId = await click(t, "anna");
    const res = await t.request(`/px.gif?${new URLSearchParams({ pk: f.publicKey, order: "p1", amount: "1000000000.01", click: clickId })}`);
    expect(res.status).toBe(200);
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("refuses rule values, tier thresholds and minPayout above the cap", async () => {
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "1000000000.01" } }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { minPayout: "1000000000.01" } }), 400, "validation_failed");
  });
});

/** Sales within the cap, then their stored amounts raised far beyond 2^53 in SQL. */
describe("sums beyond 2^53 stay exact", () => {
  let t: TestApp;
  let f: Fixture;
  const BIG = 4_000_000_000_000_123n; // minor units, ~0.44 × 2^53 each
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { minPayout: "0" } });
    for (let i = 0; i < 3; i++) {
      t.clock.now = T0 + i * 86_400_000;
      await okJson(await postConversion(t, f.postbackKey, { orderId: `o${i}`, event: "sale", amount: "10.00", coupon: "ANNA10" }), 201);
    }
    t.clock.now = T0 + 3 * 86_400_000;
    await t.client.execute({ sql: "UPDATE daily_stats SET revenue = ?, commission = ?", args: [BIG, BIG / 5n] });
    await t.client.execute({ sql: "UPDATE commissions SET amount = ?, status = 'approved'", args: [BIG / 5n] });
    await t.client.execute({ sql: "UPDATE conversions SET amount = ?", args: [BIG] });
  });
  afterEach(async () => { await t.close(); });

  const usd = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, "0")}`;
  const q = "?from=2026-03-01&to=2026-03-31";

  it("the program report (JSON and CSV) and the partner's report", async () => {
    const report = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report${q}`, { key: f.vendorKey }));
    expect(report.totals.revenue).toBe(usd(3n * BIG));
    expect(report.totals.commission).toBe(usd(3n * (BIG / 5n)));
    expect(report.rows.find((r: { key: string }) => r.key === "2026-03-11").revenue).toBe(usd(BIG));
    const byPartner = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report${q}&groupBy=partner`, { key: f.vendorKey }));
    expect(byPartner.rows.map((r: { revenue: string }) => r.revenue)).toEqual([usd(3n * BIG)]);
    const csv = await (await t.request(`/api/v1/programs/${f.program.id}/report${q}&groupBy=partner&format=csv`, { key: f.vendorKey })).text();
    expect(csv.split("\r\n")[1]).toContain(`,${usd(3n * BIG)},${usd(3n * (BIG / 5n))},`);
    const mine = await okJson(await t.request(`/api/v1/me/report${q}&groupBy=country`, { key: f.partner.apiKey }));
    expect(mine.totals.revenue).toBe(usd(3n * BIG));
  });

  it("the partner's balance, the payout batch and its CSV", async () => {
    const me = await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
    expect(me.balance.approved).toBe(usd(3n * (BIG / 5n)));
    const batch = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    expect(batch.payouts.map((p: { amount: string }) => p.amount)).toEqual([usd(3n * (BIG / 5n))]);
    const payoutId = batch.payouts[0].id;
    expect((await okJson(await t.request(`/api/v1/payouts/${payoutId}`, { key: f.vendorKey }))).amount).toBe(usd(3n * (BIG / 5n)));
    const csv = await (await t.request(`/api/v1/payouts/${payoutId}.csv`, { key: f.vendorKey })).text();
    expect(csv).toContain(`,${usd(3n * (BIG / 5n))},USD,`);
    await okJson(await t.request(`/api/v1/payouts/${payoutId}/paid`, { method: "POST", key: f.vendorKey }));
    expect((await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }))).balance.paid).toBe(usd(3n * (BIG / 5n)));
    expect((await okJson(await t.request("/api/v1/me/payouts", { key: f.partner.apiKey }))).data[0].amount).toBe(usd(3n * (BIG / 5n)));
  });

  it("the dashboard tiles, partner pages and portal", async () => {
    const manager = await signIn(t, "app", f.vendorKey);
    const overview = await page(t, `/app/p/${f.program.id}?days=custom&from=2026-03-01&to=2026-03-31`, manager);
    expect(overview.status).toBe(200);
    expect(await overview.text()).toContain("$120,000,000,000,003.69");
    const partners = await page(t, `/app/p/${f.program.id}/partners?days=custom&from=2026-03-01&to=2026-03-31&format=csv&table=partners`, manager);
    expect(await partners.text()).toContain(`,${usd(3n * BIG)},`);
    expect((await page(t, `/app/p/${f.program.id}/partners/${f.partner.id}`, manager)).status).toBe(200);
    expect((await page(t, `/app/p/${f.program.id}/payouts`, manager)).status).toBe(200);
    const portal = await signIn(t, "portal", f.partner.apiKey);
    expect((await page(t, "/portal?days=custom&from=2026-03-01&to=2026-03-31", portal)).status).toBe(200);
    expect((await page(t, "/portal/earnings", portal)).status).toBe(200);
  });
});
