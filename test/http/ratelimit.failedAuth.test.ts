import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createFixture, createTestApp, expectError, PUBLIC_URL, type TestApp } from "../helpers/app";

/**
 * Failed authentications per client address (CONTRACT "Rate limits"): with a limit of 3 a
 * minute, the 4th failure in the window is 429 `rate_limited` with Retry-After, while a valid
 * key from the same address is still served. The window resets with the (injected) clock.
 */
const T0 = Date.UTC(2026, 4, 4, 12, 0, 0);
const LIMIT = 3;
const from = (ip: string) => ({ "x-test-ip": ip });
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("failed authentications are limited per client address", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, rateRules: { failedAuth: { kind: "window", limit: LIMIT, windowMs: 60_000 } } });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const badApi = (ip: string) => t.request("/api/v1/programs", { key: "afx_sk_not-a-real-key", headers: from(ip) });

  async function expectRateLimited(res: Response, retryAfter: number) {
    const err = await expectError(res, 429, "rate_limited");
    expect(res.headers.get("retry-after")).toBe(String(retryAfter));
    return err;
  }

  it("answers 429 with Retry-After to further failing attempts, still serves a valid key, and resets after the window", async () => {
    for (let i = 0; i < LIMIT; i++) await expectError(await badApi("198.51.100.1"), 401, "unauthorized");
    await expectRateLimited(await badApi("198.51.100.1"), 60);
    // people share addresses: a valid key from the same one is served
    const ok = await t.request("/api/v1/programs", { key: f.vendorKey, headers: from("198.51.100.1") });
    expect(ok.status).toBe(200);
    expect((await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "B" }, headers: from("198.51.100.1") })).status).toBe(201);
    // another address is not affected
    await expectError(await badApi("198.51.100.2"), 401, "unauthorized");
    // Retry-After counts down with the window…
    t.clock.now = T0 + 45_000;
    await expectRateLimited(await badApi("198.51.100.1"), 15);
    // …which then resets
    t.clock.now = T0 + 60_000;
    await expectError(await badApi("198.51.100.1"), 401, "unauthorized");
  });

  it("counts an IPv6 client by its /64, so rotating addresses inside it does not help", async () => {
    for (let i = 0; i < LIMIT; i++) await expectError(await badApi(`2001:db8:1:2::${i + 1}`), 401, "unauthorized");
    await expectRateLimited(await badApi("2001:db8:1:2:ffff::9"), 60);
    await expectError(await badApi("2001:db8:1:3::1"), 401, "unauthorized");
  });

  it("counts bad postback keys (JSON and GET postbacks) with the same counter", async () => {
    const post = () => t.request("/v1/conversions", { method: "POST", key: "afx_pb_nope", json: { orderId: "o1", event: "sale", amount: "1.00" }, headers: from("198.51.100.3") });
    await expectError(await post(), 401, "unauthorized");
    await expectError(await t.request("/v1/postback?key=afx_pb_nope&order=o2&event=sale", { headers: from("198.51.100.3") }), 401, "unauthorized");
    await expectError(await badApi("198.51.100.3"), 401, "unauthorized");
    await expectRateLimited(await post(), 60);
    await expectRateLimited(await t.request("/v1/postback?key=afx_pb_nope&order=o2&event=sale", { headers: from("198.51.100.3") }), 60);
    // the program's real postback key from the same address records
    const good = await t.request("/v1/conversions", { method: "POST", key: f.postbackKey, json: { orderId: "o1", event: "sale", amount: "1.00" }, headers: from("198.51.100.3") });
    expect(good.status).toBe(201);
  });

  it("counts bad dashboard sign-ins and bad session cookies; a valid sign-in from the address still works", async () => {
    const signIn = async (key: string) => {
      const form = await t.request("/app/login", { headers: from("198.51.100.4") });
      return t.request("/app/login", {
        method: "POST", redirect: "manual",
        headers: { ...from("198.51.100.4"), origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
      });
    };
    expect((await signIn("afx_sk_wrong")).status).toBe(401);
    expect((await signIn("afx_sk_wrong-again")).status).toBe(401);
    const badSession = await t.request("/app", { headers: { ...from("198.51.100.4"), cookie: "afx_s=forged-session-token" } });
    expect(badSession.status).toBe(401); // the sign-in page
    await expectRateLimited(await signIn("afx_sk_wrong"), 60);
    await expectRateLimited(await t.request("/app", { headers: { ...from("198.51.100.4"), cookie: "afx_s=forged-session-token" } }), 60);
    // a visitor without a cookie is not a failed authentication: the sign-in page is still shown
    expect((await t.request("/app", { headers: from("198.51.100.4") })).status).toBe(401);
    const good = await signIn(f.vendorKey);
    expect(good.status).toBe(303);
  });

  it("counts used or unknown portal sign-in links", async () => {
    const form = await t.request(`/portal/signin?token=${"a".repeat(43)}`, { headers: from("198.51.100.5") });
    const csrf = csrfOf(await form.text());
    const use = () => t.request("/portal/signin", {
      method: "POST", redirect: "manual",
      headers: { ...from("198.51.100.5"), origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf, token: "a".repeat(43) }).toString(),
    });
    for (let i = 0; i < LIMIT; i++) expect((await use()).status).toBe(410);
    await expectRateLimited(await use(), 60);
  });
});
