import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, click, createFixture, createTestApp, okJson, postConversion, PUBLIC_URL, type TestApp } from "../helpers/app";
import { memoryRateLimits } from "../../src/domain/rateLimit";
import { NO_RATE_LIMITS } from "../helpers/app";

// Contract, second round, "Security headers": every HTML page sends CSP (no inline script
// unless hashed or with a nonce; frame-ancestors 'none'), X-Frame-Options: DENY,
// X-Content-Type-Options: nosniff and Referrer-Policy: same-origin. This walks every HTML route
// the app serves, signed in and not, found and not found.

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** The four headers, and a CSP that allows no inline script without a hash or nonce. */
function expectSecurityHeaders(res: Response, what: string) {
  expect(res.headers.get("content-type"), what).toMatch(/^text\/html/);
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp, `${what}: CSP`).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
  const script = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? /(?:^|;)\s*default-src ([^;]*)/.exec(csp)?.[1];
  expect(script, `${what}: CSP names a script source`).toBeDefined();
  expect(script, `${what}: no unsafe-inline`).not.toContain("'unsafe-inline'");
  expect(script, `${what}: no unsafe-eval`).not.toContain("'unsafe-eval'");
  expect(res.headers.get("x-frame-options"), what).toBe("DENY");
  expect(res.headers.get("x-content-type-options"), what).toBe("nosniff");
  expect(res.headers.get("referrer-policy"), what).toBe("same-origin");
}

describe("security headers on every HTML page", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let appCookie: string;
  let portalCookie: string;
  let conversionId: string;

  async function signIn(area: "app" | "portal", key: string) {
    const form = await t.request(`/${area}/login`);
    const res = await t.request(`/${area}/login`, {
      method: "POST", redirect: "manual",
      headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
    });
    expect(res.status).toBe(303);
    return /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
  }

  beforeAll(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    const clickId = await click(t, "anna");
    const conv = await okJson(await postConversion(t, f.postbackKey, { orderId: "o-1", event: "sale", amount: "10.00", clickId }), 201);
    conversionId = conv.id;
    appCookie = await signIn("app", f.vendorKey);
    portalCookie = await signIn("portal", f.partner.apiKey);
  });
  afterAll(async () => { await t.close(); });

  it("public pages: sign-in forms, sign-in link pages, API reference, the redirect's 404", async () => {
    const pages: [string, number, RequestInit?][] = [
      ["/app/login", 200], ["/portal/login", 200],
      ["/portal/signin?token=" + "a".repeat(43), 200], ["/portal/signin?token=short", 400],
      ["/api", 200], ["/api/reference", 200],
      ["/no-such-link", 404],
      // the session gate's sign-in page, instead of the page asked for
      ["/app", 401], ["/app/p/x/settings", 401], ["/portal", 401], ["/portal/earnings", 401],
      // a sign-in that fails renders the form again
      ["/app/login", 403, { method: "POST", headers: { origin: "https://elsewhere.example", "content-type": "application/x-www-form-urlencoded" }, body: "key=x" }],
      ["/portal/signin", 403, { method: "POST", headers: { origin: "https://elsewhere.example", "content-type": "application/x-www-form-urlencoded" }, body: "token=x" }],
    ];
    for (const [path, status, init] of pages) {
      const res = await t.request(path, init);
      expect(res.status, path).toBe(status);
      expectSecurityHeaders(res, `${init?.method ?? "GET"} ${path}`);
    }
  });

  it("the manager dashboard, signed in, including its 404 pages", async () => {
    const p = `/app/p/${f.program.id}`;
    const paths: [string, number][] = [
      [p, 200], [`${p}/partners`, 200], [`${p}/partners/${f.partner.id}`, 200], [`${p}/links`, 200],
      [`${p}/commissions`, 200], [`${p}/conversions`, 200], [`${p}/conversions/${conversionId}`, 200], [`${p}/payouts`, 200], [`${p}/settings`, 200],
      ["/app/p/prg_nope", 404], [`${p}/partners/ptn_nope`, 404], [`${p}/payouts/pay_nope`, 404], [`${p}/payout-batches/bat_nope`, 404], ["/app/nowhere", 404],
    ];
    for (const [path, status] of paths) {
      const res = await t.request(path, { headers: { cookie: `afx_s=${appCookie}` } });
      expect(res.status, path).toBe(status);
      expectSecurityHeaders(res, path);
    }
  });

  it("the manager dashboard's welcome page of a vendor without programs", async () => {
    const lonely = await (await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Empty" } })).json();
    const res = await t.request("/app", { headers: { cookie: `afx_s=${await signIn("app", lonely.apiKey)}` } });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res, "/app (no programs)");
  });

  it("the partner portal, signed in, including its 404 page", async () => {
    const paths: [string, number][] = [
      ["/portal", 200], ["/portal/links", 200], [`/portal/links/${f.link.id}`, 200], ["/portal/earnings", 200], ["/portal/links/lnk_nope", 404],
    ];
    for (const [path, status] of paths) {
      const res = await t.request(path, { headers: { cookie: `afx_s=${portalCookie}` } });
      expect(res.status, path).toBe(status);
      expectSecurityHeaders(res, path);
    }
  });

  it("the API reference's CSP allows exactly its own inline script and style (by hash) and same-origin fetches", async () => {
    const res = await t.request("/api/reference");
    const csp = res.headers.get("content-security-policy") ?? "";
    const html = await res.text();
    const { createHash } = await import("node:crypto");
    const sha = (s: string) => `'sha256-${createHash("sha256").update(s).digest("base64")}'`;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const s of scripts) expect(csp).toContain(sha(s));
    for (const s of styles) expect(csp).toContain(sha(s));
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).not.toMatch(/https?:\/\//); // nothing from a CDN
  });
});

describe("security headers without createApp's middleware", () => {
  it("the tracking Worker's app sends them on the unknown-link page too", async () => {
    const { createTrackingApp } = await import("../../workers/trackingApp");
    const { openAndMigrate } = await import("../../src/bootstrap");
    const { LinkCache } = await import("../../src/http/tracking/linkCache");
    const { headerFacts } = await import("../../src/http/tracking/requestFacts");
    const { database, secret } = await openAndMigrate(":memory:", undefined, "test-secret-0123456789abcdef");
    try {
      const deps = {
        db: database.db, secret, now: () => Date.now(), publicUrl: PUBLIC_URL, adminKeyHash: null,
        clickSink: { push: () => undefined, flush: async () => undefined, close: async () => undefined } as never,
        linkCache: new LinkCache(database.db, { now: () => Date.now() }), readClickFacts: headerFacts({ ipHeader: "x-test-ip", fallbackIp: () => "203.0.113.7" }),
        rateLimits: memoryRateLimits(NO_RATE_LIMITS, Date.now),
      };
      const app = createTrackingApp(deps, async () => new Response("forwarded"));
      const res = await app.request(`${PUBLIC_URL}/no-such-link`);
      expect(res.status).toBe(404);
      expectSecurityHeaders(res, "tracking Worker: unknown link");
    } finally {
      database.close();
    }
  });
});
