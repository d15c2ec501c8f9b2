import { afterEach, describe, expect, it } from "vitest";
import { addPartner, BROWSER_UA, click, clickWith, countRows, createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";

/**
 * The pixel per client address and program, and per program for what it leaves in `hold`
 * (CONTRACT "Rate limits"): over a limit it still answers its GIF, and records nothing.
 * Redirects are never limited.
 */
const T0 = Date.UTC(2026, 4, 4, 12, 0, 0);
const DAY = 86_400_000;
let t: TestApp;
afterEach(async () => { await t.close(); });

async function pixel(pk: string, order: string, clickId: string, ip: string) {
  const res = await t.request(`/px.gif?${new URLSearchParams({ pk, order, amount: "10.00", click: clickId })}`, { headers: { "x-test-ip": ip } });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/gif");
  await res.arrayBuffer();
}

async function storedOrders(vendorKey: string, programId: string): Promise<string[]> {
  const list = await okJson(await t.request(`/api/v1/conversions?programId=${programId}`, { key: vendorKey }));
  return list.data.map((c: { orderId: string }) => c.orderId).sort();
}

describe("pixel conversions per client address and program", () => {
  it("records the first N a minute from an address, answers the GIF and records nothing beyond; other addresses and programs go on", async () => {
    t = await createTestApp({ now: T0, rateRules: { pixel: { kind: "window", limit: 3, windowMs: 60_000 } } });
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    for (let i = 1; i <= 5; i++) await pixel(f.publicKey, `a${i}`, clickId, "198.51.100.10");
    expect(await storedOrders(f.vendorKey, f.program.id)).toEqual(["a1", "a2", "a3"]);
    await pixel(f.publicKey, "b1", clickId, "198.51.100.11");
    // the same address on another program has its own count
    const other = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["shop.example.com"], holdDays: 0 } }), 201);
    await t.request(`/api/v1/programs/${other.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "10" } });
    const { link } = await addPartner(t, f.vendorKey, other.id, { name: "Ben", email: "ben@example.com" }, { slug: "ben" });
    await pixel(other.publicKey, "c1", await click(t, link!.slug), "198.51.100.10");
    expect(await storedOrders(f.vendorKey, other.id)).toEqual(["c1"]);
    // a new window
    t.clock.now = T0 + 60_000;
    await pixel(f.publicKey, "a6", clickId, "198.51.100.10");
    expect(await storedOrders(f.vendorKey, f.program.id)).toEqual(["a1", "a2", "a3", "a6", "b1"]);
  });
});

describe("pixel conversions left in hold, per program and day", () => {
  it("stops recording held pixel conversions at the day's limit, counts only those that created a held commission, and resets the next day", async () => {
    t = await createTestApp({ now: T0, rateRules: { pixelHold: { kind: "window", limit: 2, windowMs: DAY } } });
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    await pixel(f.publicKey, "h1", clickId, "198.51.100.20");
    await pixel(f.publicKey, "h1", clickId, "198.51.100.21"); // a replay creates nothing and is not counted
    await pixel(f.publicKey, "h2", clickId, "198.51.100.22");
    await pixel(f.publicKey, "h3", clickId, "198.51.100.23");
    await pixel(f.publicKey, "h4", clickId, "198.51.100.24");
    expect(await storedOrders(f.vendorKey, f.program.id)).toEqual(["h1", "h2"]);
    const commissions = await okJson(await t.request(`/api/v1/commissions?programId=${f.program.id}`, { key: f.vendorKey }));
    expect(commissions.data.map((c: { status: string }) => c.status)).toEqual(["hold", "hold"]);
    // postbacks are not pixels: the vendor's own server still records
    expect((await postConversion(t, f.postbackKey, { orderId: "h3", event: "sale", amount: "10.00", clickId })).status).toBe(201);
    t.clock.now = T0 + DAY;
    await pixel(f.publicKey, "h5", await clickWith(t, "anna", { ip: "198.51.100.25" }), "198.51.100.25");
    expect(await storedOrders(f.vendorKey, f.program.id)).toEqual(["h1", "h2", "h3", "h5"]);
  });
});

describe("redirects", () => {
  it("are never rate limited, not even from an address over every limit that counts addresses", async () => {
    const one = { kind: "window", limit: 1, windowMs: 60_000 } as const;
    t = await createTestApp({ now: T0, rateRules: { failedAuth: one, pixel: one, pixelHold: one, applicationForm: one } });
    const f = await createFixture(t);
    const ip = { "x-test-ip": "198.51.100.30" };
    await expectError(await t.request("/api/v1/programs", { key: "afx_sk_bad", headers: ip }), 401, "unauthorized");
    await expectError(await t.request("/api/v1/programs", { key: "afx_sk_bad", headers: ip }), 429, "rate_limited");
    const clickId = await clickWith(t, f.link.slug, { ip: "198.51.100.30" });
    await pixel(f.publicKey, "r1", clickId, "198.51.100.30");
    await pixel(f.publicKey, "r2", clickId, "198.51.100.30");
    expect(await storedOrders(f.vendorKey, f.program.id)).toEqual(["r1"]);
    for (let i = 0; i < 50; i++) {
      const res = await t.request(`/${f.link.slug}?i=${i}`, { method: i % 5 ? "GET" : "HEAD", headers: { ...ip, "user-agent": BROWSER_UA } });
      expect(res.status).toBe(302);
    }
    await t.flushClicks();
    expect(await countRows(t, "clicks")).toBe(41); // 40 GETs + the first click; HEADs record nothing
  });
});
