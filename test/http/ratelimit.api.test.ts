import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, rateRules } from "../../src/config";
import { DEFAULT_RATE_RULES } from "../../src/domain/rateLimit";
import { ADMIN_KEY, createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";

/** The management API per API key and postbacks per program, as token buckets (CONTRACT "Rate limits"). */
const T0 = Date.UTC(2026, 4, 4, 12, 0, 0);
let t: TestApp;
afterEach(async () => { await t.close(); });

describe("the management API is limited per API key", () => {
  it("serves a burst, then 429 with Retry-After; other keys are not affected; the bucket refills with time", async () => {
    t = await createTestApp({ now: T0, rateRules: { api: { kind: "bucket", perSecond: 2, burst: 4 } } });
    const vendorA = await okJson(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "A" } }), 201);
    const vendorB = await okJson(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "B" } }), 201);
    for (let i = 0; i < 4; i++) expect((await t.request("/api/v1/programs", { key: vendorA.apiKey })).status).toBe(200);
    const refused = await t.request("/api/v1/programs", { key: vendorA.apiKey });
    await expectError(refused, 429, "rate_limited");
    expect(refused.headers.get("retry-after")).toBe("1");
    // writes are refused before they happen
    await expectError(await t.request("/api/v1/programs", { method: "POST", key: vendorA.apiKey, json: { name: "X", allowedDomains: ["x.example.com"] } }), 429, "rate_limited");
    expect((await t.request("/api/v1/programs", { key: vendorB.apiKey })).status).toBe(200);
    // 2 a second: after one second two more pass, the third does not
    t.clock.now = T0 + 1_000;
    expect((await t.request("/api/v1/programs", { key: vendorA.apiKey })).status).toBe(200);
    expect((await t.request("/api/v1/programs", { key: vendorA.apiKey })).status).toBe(200);
    await expectError(await t.request("/api/v1/programs", { key: vendorA.apiKey }), 429, "rate_limited");
    // a long pause refills the bucket up to its burst, not beyond
    t.clock.now = T0 + 60_000;
    for (let i = 0; i < 4; i++) expect((await t.request("/api/v1/programs", { key: vendorA.apiKey })).status).toBe(200);
    await expectError(await t.request("/api/v1/programs", { key: vendorA.apiKey }), 429, "rate_limited");
  });
});

describe("postbacks are limited per program", () => {
  it("429 with Retry-After over the burst, on JSON and GET postbacks alike; another program is not affected", async () => {
    t = await createTestApp({ now: T0, rateRules: { postback: { kind: "bucket", perSecond: 1, burst: 3 } } });
    const f = await createFixture(t);
    const other = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["other.example.com"] } }), 201);
    for (let i = 0; i < 2; i++) expect((await postConversion(t, f.postbackKey, { orderId: `o${i}`, event: "sale", amount: "10.00" })).status).toBe(201);
    expect((await t.request(`/v1/postback?key=${f.postbackKey}&order=g1&event=sale&amount=10.00`)).status).toBe(201);
    const refused = await postConversion(t, f.postbackKey, { orderId: "o9", event: "sale", amount: "10.00" });
    await expectError(refused, 429, "rate_limited");
    expect(refused.headers.get("retry-after")).toBe("1");
    await expectError(await t.request(`/v1/postback?key=${f.postbackKey}&order=g2&event=sale&amount=10.00`), 429, "rate_limited");
    expect((await postConversion(t, other.postbackKey, { orderId: "o9", event: "sale", amount: "10.00" })).status).toBe(201);
    // the refused order was not recorded; once the bucket refills it is
    const list = await okJson(await t.request(`/api/v1/conversions?programId=${f.program.id}`, { key: f.vendorKey }));
    expect(list.data.map((c: { orderId: string }) => c.orderId).sort()).toEqual(["g1", "o0", "o1"]);
    t.clock.now = T0 + 1_000;
    expect((await postConversion(t, f.postbackKey, { orderId: "o9", event: "sale", amount: "10.00" })).status).toBe(201);
  });
});

describe("the limits come from the environment", () => {
  it("defaults to the contract's table; each can be changed or turned off (0); nonsense is refused at start", () => {
    expect(rateRules(loadConfig({}))).toEqual(DEFAULT_RATE_RULES);
    expect(DEFAULT_RATE_RULES).toEqual({
      failedAuth: { kind: "window", limit: 20, windowMs: 60_000 },
      api: { kind: "bucket", perSecond: 100, burst: 500 },
      postback: { kind: "bucket", perSecond: 5_000, burst: 20_000 },
      pixel: { kind: "window", limit: 20, windowMs: 60_000 },
      pixelHold: { kind: "window", limit: 10_000, windowMs: 86_400_000 },
      applicationForm: { kind: "window", limit: 10, windowMs: 3_600_000 },
    });
    const rules = rateRules(loadConfig({ AFFLUX_RATE_FAILED_AUTH_PER_MIN: "5", AFFLUX_RATE_API_PER_SEC: "10", AFFLUX_RATE_API_BURST: "30", AFFLUX_RATE_PIXEL_HOLD_PER_DAY: "0" }));
    expect(rules.failedAuth).toEqual({ kind: "window", limit: 5, windowMs: 60_000 });
    expect(rules.api).toEqual({ kind: "bucket", perSecond: 10, burst: 30 });
    expect(rules.pixelHold).toBeNull();
    expect(() => loadConfig({ AFFLUX_RATE_PIXEL_PER_MIN: "-1" })).toThrow(/AFFLUX_RATE_PIXEL_PER_MIN/);
    expect(() => loadConfig({ AFFLUX_RATE_POSTBACK_BURST: "lots" })).toThrow(/AFFLUX_RATE_POSTBACK_BURST/);
  });
});
