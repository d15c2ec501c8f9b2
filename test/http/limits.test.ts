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

describe("dates", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const sale = (orderId: string, occurredAt: string) => postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "10.00", coupon: "ANNA10", occurredAt });

  it("occurredAt must be a real calendar time between 2000-01-01 and 100 years from now", async () => {
    for (const occurredAt of ["2026-02-30T10:00:00Z", "2026-04-31T00:00:00Z", "2026-03-01T25:00:00Z", "1999-12-31T23:59:59Z", "2126-03-10T12:00:01Z", "March 7"]) {
      const err = await expectError(await sale(`o-${occurredAt}`, occurredAt), 400, "validation_failed");
      expect(err.details).toEqual([expect.objectContaining({ path: "occurredAt" })]);
    }
    const get = await t.request(`/v1/postback?${new URLSearchParams({ key: f.postbackKey, order: "g1", event: "sale", amount: "10", coupon: "ANNA10", occurred: "2026-02-30T10:00:00Z" })}`);
    await expectError(get, 400, "validation_failed");
    expect(await countRows(t, "conversions")).toBe(0);
    const ok = await okJson(await sale("o-ok", "2026-02-28T10:00:00+01:00"), 201);
    expect(ok.occurredAt).toBe("2026-02-28T09:00:00.000Z");
  });

  it("report days must be real days in range, on the program report and the partner's", async () => {
    for (const path of [`/api/v1/programs/${f.program.id}/report`, "/api/v1/me/report"]) {
      const key = path.startsWith("/api/v1/me") ? f.partner.apiKey : f.vendorKey;
      for (const [q, field] of [["from=2026-02-30&to=2026-03-05", "from"], ["from=2026-03-01&to=2026-02-31", "to"], ["from=1999-12-31&to=2000-01-05", "from"], ["to=2127-01-01", "to"], ["from=2026-3-1", "from"]] as const) {
        const err = await expectError(await t.request(`${path}?${q}`, { key }), 400, "validation_failed");
        expect(err.details?.[0]?.path).toBe(field);
      }
      const ok = await okJson(await t.request(`${path}?from=2026-02-27&to=2026-03-01`, { key }));
      expect(ok.rows.map((r: { key: string }) => r.key)).toEqual(["2026-02-27", "2026-02-28", "2026-03-01"]);
    }
  });

  it("conversion filters, settle's now and the dashboard's filters refuse impossible dates", async () => {
    for (const q of ["from=2026-02-30T00:00:00Z", "to=2026-02-29T00:00:00Z", "from=1999-01-01T00:00:00Z"]) {
      await expectError(await t.request(`/api/v1/conversions?${q}`, { key: f.vendorKey }), 400, "validation_failed");
    }
    await okJson(await t.request("/api/v1/conversions?from=2026-02-28T00:00:00Z&to=2026-03-01T00:00:00%2B01:00", { key: f.vendorKey }));
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: "2026-02-30T00:00:00Z" } }), 400, "validation_failed");
    const manager = await signIn(t, "app", f.vendorKey);
    expect((await page(t, `/app/p/${f.program.id}/conversions?from=2026-02-30`, manager)).status).toBe(400);
    expect((await page(t, `/app/p/${f.program.id}/conversions?to=1999-01-01`, manager)).status).toBe(400);
    expect((await page(t, `/app/p/${f.program.id}/conversions?from=2026-02-28&to=2026-03-10`, manager)).status).toBe(200);
  });
});

describe("CSV cells: only text is quote-prefixed", () => {
  let t: TestApp;
  let f: Fixture;
  let n = 0;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { minPayout: "0" } });
  });
  afterEach(async () => { await t.close(); });

  async function approvedSale(amount: string, coupon = "ANNA10") {
    const conv = await okJson(await postConversion(t, f.postbackKey, { orderId: `o${++n}`, event: "sale", amount, coupon }), 201);
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} }));
    return conv as { orderId: string };
  }
  const createBatch = async () => okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);

  it("a negative adjustment in the payout lines CSV stays a number", async () => {
    const first = await approvedSale("100.00"); // 20.00
    const [payout1] = (await createBatch()).payouts;
    await okJson(await t.request(`/api/v1/payouts/${payout1.id}/paid`, { method: "POST", key: f.vendorKey }));
    await okJson(await postRefund(t, f.postbackKey, { orderId: first.orderId, amount: "50.00" })); // adjustment −10.00
    await approvedSale("100.00"); // 20.00 − 10.00
    const [payout2] = (await createBatch()).payouts;
    expect(payout2.amount).toBe("10.00");
    const manager = await signIn(t, "app", f.vendorKey);
    const csv = await (await page(t, `/app/p/${f.program.id}/payouts/${payout2.id}?format=csv&table=lines`, manager)).text();
    expect(csv).toMatch(/^adjustment \(refund\),[^,]*,[^,]*,-10\.00\r$/m);
    expect(csv).not.toContain("'-10.00");
  });

  it("a negative report amount stays a number in the report CSV", async () => {
    await approvedSale("10.00");
    await t.client.execute("UPDATE daily_stats SET commission = -1000");
    const csv = await (await t.request(`/api/v1/programs/${f.program.id}/report?format=csv&groupBy=partner`, { key: f.vendorKey })).text();
    expect(csv.split("\r\n")[1]).toBe(`${f.partner.id},0,0,0,1,10.00,-10.00,0,0.00`);
  });

  it("a partner named like a formula is still prefixed, in the API's and the dashboard's CSVs", async () => {
    for (const [name, coupon] of [['=HYPERLINK("https://evil.example")', "EVIL"], ["-2+3", "MINUS"]] as const) {
      const res = await t.request(`/api/v1/programs/${f.program.id}/partners`, { method: "POST", key: f.vendorKey, json: { name, email: `${coupon.toLowerCase()}@example.com`, coupon } });
      expect(res.status).toBe(201);
      await approvedSale("10.00", coupon);
    }
    const batch = await createBatch();
    const csv = await (await t.request(`/api/v1/payout-batches/${batch.id}.csv`, { key: f.vendorKey })).text();
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example"")",evil@example.com,2.00,USD,1,`);
    expect(csv).toContain("'-2+3,minus@example.com,2.00,USD,1,");
    const manager = await signIn(t, "app", f.vendorKey);
    const partners = await (await page(t, `/app/p/${f.program.id}/partners?format=csv&table=partners`, manager)).text();
    expect(partners).toContain("'-2+3,minus@example.com,");
    expect(partners).toContain(`"'=HYPERLINK(""https://evil.example"")"`);
  });
});

describe("10,000 commissions of 10^12 minor units each", () => {
  let t: TestApp;
  let f: Fixture;
  const N = 10_000n;
  const EACH = 1_000_000_000_123n; // above the cap: only SQL can put it there
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { minPayout: "0" } });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "seed", event: "sale", amount: "10.00", coupon: "ANNA10" }), 201);
    // the rows reference one conversion each only by id: constraints are not what is tested here
    await t.client.execute("PRAGMA foreign_keys = OFF");
    await t.client.execute({
      sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO commissions (id, program_id, partner_id, conversion_id, rule_id, tier_id, amount, original_amount, currency, status, available_at, payout_id, change_token, created_at, updated_at)
        SELECT 'com_big' || i, program_id, partner_id, 'cnv_big' || i, rule_id, tier_id, ?, ?, currency, 'approved', available_at, NULL, NULL, created_at, updated_at
        FROM n, (SELECT * FROM commissions LIMIT 1)`,
      args: [N, EACH, EACH],
    });
    await t.client.execute("DELETE FROM commissions WHERE id NOT LIKE 'com_big%'");
  });
  afterEach(async () => { await t.close(); });

  it("the balance and the payout are the exact BigInt total", async () => {
    const total = N * EACH; // 10,000,000,001,230,000 minor units
    expect(total).toBeGreaterThan(2n ** 53n);
    const usd = (minor: bigint) => `${minor / 100n}.${String(minor % 100n).padStart(2, "0")}`;
    expect((await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }))).balance.approved).toBe(usd(total));
    const batch = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    expect(batch.payouts).toEqual([expect.objectContaining({ amount: usd(total), commissionCount: 10_000 })]);
    const manager = await signIn(t, "app", f.vendorKey);
    const payouts = await (await page(t, `/app/p/${f.program.id}/payouts?format=csv&table=payouts`, manager)).text();
    expect(payouts).toContain(`,${usd(total)},`);
  });
});
