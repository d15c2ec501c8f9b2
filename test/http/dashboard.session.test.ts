import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, PUBLIC_URL, type TestApp } from "../helpers/app";

// The dashboard's sessions through the app (the browser suite covers the same flows in Chromium;
// here the clock can move): cookie flags, expiry, sign-out, CSRF of sign-in and of forms.

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0, 0);
const HOUR = 3_600_000;

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("dashboard sessions", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  async function signIn(base: string, area: "app" | "portal", key: string) {
    const form = await t.request(`${base}/${area}/login`);
    expect(form.status).toBe(200);
    expect(form.headers.get("set-cookie")).toBeNull(); // no cookie before someone signs in
    const res = await t.request(`${base}/${area}/login`, {
      method: "POST", redirect: "manual",
      headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
    });
    return res;
  }
  const cookieValue = (res: Response) => /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
  const page = (path: string, cookie: string, base = PUBLIC_URL) => t.request(`${base}${path}`, { headers: { cookie: `afx_s=${cookie}` } });

  it("signs in with an HttpOnly, SameSite=Lax cookie scoped to its area, Secure on https only", async () => {
    const https = await signIn(PUBLIC_URL, "app", f.vendorKey);
    expect(https.status).toBe(303);
    const flags = https.headers.get("set-cookie")!;
    expect(flags).toMatch(/^afx_s=[A-Za-z0-9_-]{20,};/);
    expect(flags).toContain("HttpOnly");
    expect(flags).toContain("SameSite=Lax");
    expect(flags).toContain("Path=/app");
    expect(flags).toContain("Secure");
    expect(flags).toContain(`Max-Age=${12 * 3600}`);

    const http = await signIn("http://localhost:8787", "app", f.vendorKey);
    expect(http.status).toBe(303);
    expect(http.headers.get("set-cookie")).not.toContain("Secure");

    const home = await page(`/app/p/${f.program.id}`, cookieValue(https));
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain("Sign out");
    expect(html).not.toContain(f.vendorKey);
  });

  it("expires after 12 hours: the same cookie then opens the sign-in page", async () => {
    const cookie = cookieValue(await signIn(PUBLIC_URL, "app", f.vendorKey));
    t.clock.now = T0 + 12 * HOUR - 1;
    expect((await page(`/app/p/${f.program.id}`, cookie)).status).toBe(200);
    t.clock.now = T0 + 12 * HOUR + 1;
    const expired = await page(`/app/p/${f.program.id}`, cookie);
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain("Vendor admin key");
  });

  it("signs out: the session is deleted on the server, not only the cookie", async () => {
    const cookie = cookieValue(await signIn(PUBLIC_URL, "app", f.vendorKey));
    const csrf = csrfOf(await (await page(`/app/p/${f.program.id}`, cookie)).text());
    const out = await t.request(`${PUBLIC_URL}/app/logout`, {
      method: "POST", redirect: "manual",
      headers: { cookie: `afx_s=${cookie}`, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/afx_s=;.*Max-Age=0/);
    expect((await page(`/app/p/${f.program.id}`, cookie)).status).toBe(401);
  });

  it("refuses a sign-in form older than an hour, from another site, or with the wrong kind of key", async () => {
    const form = await (await t.request(`${PUBLIC_URL}/app/login`)).text();
    const post = (headers: Record<string, string>, body: Record<string, string>) =>
      t.request(`${PUBLIC_URL}/app/login`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(body).toString() });
    expect((await post({ origin: "https://evil.example" }, { _csrf: csrfOf(form), key: f.vendorKey })).status).toBe(403);
    const partner = await post({ origin: PUBLIC_URL }, { _csrf: csrfOf(form), key: f.partner.apiKey });
    expect(partner.status).toBe(403);
    expect(await partner.text()).toContain("This is a partner key");
    expect((await post({ origin: PUBLIC_URL }, { _csrf: csrfOf(form), key: "afx_sk_nope" })).status).toBe(401);
    t.clock.now = T0 + HOUR + 1;
    const stale = await post({ origin: PUBLIC_URL }, { _csrf: csrfOf(form), key: f.vendorKey });
    expect(stale.status).toBe(403);
    expect(stale.headers.get("set-cookie")).toBeNull();
  });

  it("keeps manager and portal sessions apart", async () => {
    const manager = cookieValue(await signIn(PUBLIC_URL, "app", f.vendorKey));
    const partner = cookieValue(await signIn(PUBLIC_URL, "portal", f.partner.apiKey));
    expect((await page("/portal", partner)).status).toBe(200);
    expect((await page("/portal", manager)).status).toBe(401);
    expect((await page(`/app/p/${f.program.id}`, partner)).status).toBe(401);
  });
  it("serves a link's QR code as SVG to its program's manager, and 404 for any other link", async () => {
    const cookie = cookieValue(await signIn(PUBLIC_URL, "app", f.vendorKey));
    const qr = await page(`/app/p/${f.program.id}/links/${f.link.id}/qr.svg`, cookie);
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toContain("image/svg+xml");
    expect(await qr.text()).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
    const other = await createFixture(t, { link: { slug: "other-qr" } });
    expect((await page(`/app/p/${f.program.id}/links/${other.link.id}/qr.svg`, cookie)).status).toBe(404);
    expect((await page(`/app/p/${other.program.id}/links/${other.link.id}/qr.svg`, cookie)).status).toBe(404);
  });
});
