import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BROWSER_UA, click, countRows, createFixture, createTestApp, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";

const get = (t: TestApp, path: string, headers: Record<string, string> = {}) =>
  t.request(path, { headers: { "user-agent": BROWSER_UA, ...headers } });

async function linkCounts(t: TestApp, vendorKey: string, linkId: string) {
  const res = await t.request(`/api/v1/links/${linkId}`, { key: vendorKey });
  expect(res.status).toBe(200);
  const body = await res.json();
  return { clicks: body.clicks as number, botClicks: body.botClicks as number };
}

describe("GET /:slug redirect", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("answers 302 to the destination with the click id appended and the tracking headers", async () => {
    const f = await createFixture(t);
    const res = await get(t, "/anna");
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    const url = new URL(location);
    const clickId = url.searchParams.get("afx_click")!;
    expect(clickId).toMatch(/^[A-Za-z0-9_-]{20,48}$/);
    expect(location).toBe(`https://shop.example.com/p?afx_click=${clickId}`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(["no-referrer-when-downgrade", "strict-origin-when-cross-origin", "strict-origin", "same-origin", "origin", "no-referrer"]).toContain(res.headers.get("referrer-policy"));
    expect(res.headers.get("set-cookie")).toBe(`afx_click=${clickId}; Max-Age=${30 * 86400}; Path=/; HttpOnly; SameSite=Lax; Secure`);
    expect(f.link.url).toBe(`${PUBLIC_URL}/anna`);
  });

  it("sets Max-Age from the program's cookieDays", async () => {
    await createFixture(t, { program: { cookieDays: 7 } });
    const res = await get(t, "/anna");
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`; Max-Age=${7 * 86400}; `));
  });

  it("adds Secure only when served over https", async () => {
    await createFixture(t);
    const plain = await get(t, "http://go.test/anna");
    expect(plain.status).toBe(302);
    const cookie = plain.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^afx_click=[A-Za-z0-9_-]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Secure/);
    const proxied = await get(t, "http://go.test/anna", { "x-forwarded-proto": "https" });
    expect(proxied.headers.get("set-cookie")).toMatch(/; Secure$/);
  });

  it("passes incoming query parameters through, overriding the destination's own of the same name", async () => {
    await createFixture(t, { link: { destination: "https://shop.example.com/p?utm_source=vendor&keep=1#top" } });
    const res = await get(t, "/anna?utm_source=partner&x=a%20b&sub1=nl");
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    const clickId = new URL(location).searchParams.get("afx_click")!;
    expect(location).toBe(`https://shop.example.com/p?utm_source=partner&keep=1&x=a+b&sub1=nl&afx_click=${clickId}#top`);
  });

  it("uses the program's custom clickParam", async () => {
    await createFixture(t, { program: { clickParam: "ref" } });
    const res = await get(t, "/anna?ref=forged");
    const url = new URL(res.headers.get("location")!);
    expect(url.searchParams.getAll("ref")).toHaveLength(1);
    const clickId = url.searchParams.get("ref")!;
    expect(clickId).not.toBe("forged");
    expect(clickId).toMatch(/^[A-Za-z0-9_-]{20,48}$/);
    expect(url.searchParams.has("afx_click")).toBe(false);
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^afx_click=${clickId};`));
  });

  it("replaces an incoming afx_click parameter and a stale one in the destination", async () => {
    await createFixture(t, { link: { destination: "https://shop.example.com/p?afx_click=stale&a=1" } });
    const res = await get(t, "/anna?afx_click=forged&b=2");
    const location = res.headers.get("location")!;
    const url = new URL(location);
    expect(url.searchParams.getAll("afx_click")).toHaveLength(1);
    const clickId = url.searchParams.get("afx_click")!;
    expect(["forged", "stale"]).not.toContain(clickId);
    expect(location).toBe(`https://shop.example.com/p?a=1&b=2&afx_click=${clickId}`);
  });

  it("issues a different click id on each redirect", async () => {
    await createFixture(t);
    const a = await click(t, "anna");
    const b = await click(t, "anna");
    expect(a).not.toBe(b);
  });

  it("records sub1…sub5 with the click and passes them through", async () => {
    const f = await createFixture(t);
    const res = await get(t, "/anna?sub1=s1&sub2=s2&sub3=s%203&sub4=s4&sub5=s5");
    const url = new URL(res.headers.get("location")!);
    expect(url.searchParams.get("sub3")).toBe("s 3");
    expect(url.searchParams.get("sub5")).toBe("s5");
    const clickId = url.searchParams.get("afx_click")!;
    await t.flushClicks();
    const rows = await sqlRows(t, "SELECT id, sub1, sub2, sub3, sub4, sub5, bot FROM clicks");
    expect(rows).toEqual([{ id: clickId, sub1: "s1", sub2: "s2", sub3: "s 3", sub4: "s4", sub5: "s5", bot: 0 }]);
    expect(await linkCounts(t, f.vendorKey, f.link.id)).toEqual({ clicks: 1, botClicks: 0 });
  });

  it("keeps click times to the millisecond", async () => {
    await createFixture(t);
    t.clock.now = Date.UTC(2026, 10, 22, 10, 0, 0, 123);
    const clickId = await click(t, "anna");
    await t.flushClicks();
    expect(await sqlRows(t, "SELECT id, ts FROM clicks")).toEqual([{ id: clickId, ts: Date.UTC(2026, 10, 22, 10, 0, 0, 123) }]);
  });

  it("stores no raw IP anywhere", async () => {
    await createFixture(t);
    const ip = "198.51.100.23";
    await get(t, "/anna?sub1=x", { "x-test-ip": ip, referer: "https://blog.example.net/post" });
    await get(t, "/anna", { "x-test-ip": ip });
    await t.flushClicks();
    const clickRows = await sqlRows(t, "SELECT * FROM clicks");
    expect(clickRows).toHaveLength(2);
    for (const row of clickRows) for (const value of Object.values(row)) expect(String(value)).not.toContain(ip);
    expect(clickRows[0]!.referrer_host ?? clickRows[1]!.referrer_host).toBe("blog.example.net");
    // nor in any other table
    const tables = await sqlRows(t, "SELECT name FROM sqlite_master WHERE type = 'table'");
    for (const { name } of tables) {
      for (const row of await sqlRows(t, `SELECT * FROM "${String(name)}"`)) {
        for (const value of Object.values(row)) expect(String(value)).not.toContain(ip);
      }
    }
  });

  it("redirects bots but counts them as botClicks", async () => {
    const f = await createFixture(t);
    const res = await get(t, "/anna", { "user-agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^https:\/\/shop\.example\.com\/p\?afx_click=/);
    await click(t, "anna");
    await t.flushClicks();
    expect(await linkCounts(t, f.vendorKey, f.link.id)).toEqual({ clicks: 1, botClicks: 1 });
    expect(await countRows(t, "clicks", "bot = 1")).toBe(1);
  });

  it("HEAD answers like GET but records no click", async () => {
    const f = await createFixture(t);
    const res = await t.request("/anna?x=1", { method: "HEAD", headers: { "user-agent": BROWSER_UA } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/^https:\/\/shop\.example\.com\/p\?x=1&afx_click=[A-Za-z0-9_-]+$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("set-cookie")).toMatch(/^afx_click=[A-Za-z0-9_-]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    await t.flushClicks();
    expect(await countRows(t, "clicks")).toBe(0);
    expect(await linkCounts(t, f.vendorKey, f.link.id)).toEqual({ clicks: 0, botClicks: 0 });
  });

  it("follows a PATCHed destination at once", async () => {
    const f = await createFixture(t);
    await click(t, "anna"); // warm the cache
    const patch = await t.request(`/api/v1/links/${f.link.id}`, { method: "PATCH", key: f.vendorKey, json: { destination: "https://shop.example.com/new" } });
    expect(patch.status).toBe(200);
    const res = await get(t, "/anna");
    expect(res.headers.get("location")).toMatch(/^https:\/\/shop\.example\.com\/new\?afx_click=/);
  });

  it("serves robots.txt that disallows everything", async () => {
    const res = await t.request("/robots.txt");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/^User-agent: \*$/m);
    expect(text).toMatch(/^Disallow: \/$/m);
  });
});

describe("deep links (?to=)", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  const to = (url: string) => `?to=${encodeURIComponent(url)}`;

  it("replaces the destination with an allowed URL when the link allows deep links", async () => {
    await createFixture(t, { link: { allowDeepLinks: true } });
    const res = await get(t, `/anna${to("https://blog.example.org/post?a=1")}&utm=x`);
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    const clickId = new URL(location).searchParams.get("afx_click")!;
    expect(location).toBe(`https://blog.example.org/post?a=1&utm=x&afx_click=${clickId}`);
  });

  it("accepts the bare domain of a .suffix entry, and an exact host entry", async () => {
    await createFixture(t, { link: { allowDeepLinks: true } });
    const bare = await get(t, `/anna${to("https://example.org/x")}`);
    expect(bare.headers.get("location")).toMatch(/^https:\/\/example\.org\/x\?afx_click=/);
    const exact = await get(t, `/anna${to("http://shop.example.com/sale")}`);
    expect(exact.headers.get("location")).toMatch(/^http:\/\/shop\.example\.com\/sale\?afx_click=/);
  });

  it("ignores to= for hosts or schemes that are not allowed and never passes it through", async () => {
    await createFixture(t, { link: { allowDeepLinks: true } });
    for (const bad of ["https://evil.com/", "https://example.org.evil.com/", "https://evilexample.org/", "javascript:alert(1)", "https://shop.example.com@evil.com/", "//evil.com/x", "ftp://example.org/"]) {
      const res = await get(t, `/anna${to(bad)}`);
      expect(res.status, bad).toBe(302);
      const location = res.headers.get("location")!;
      expect(location, bad).toMatch(/^https:\/\/shop\.example\.com\/p\?afx_click=[A-Za-z0-9_-]+$/);
    }
  });

  it("ignores to= when the link does not allow deep links", async () => {
    await createFixture(t);
    const res = await get(t, `/anna${to("https://blog.example.org/post")}&k=v`);
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^https:\/\/shop\.example\.com\/p\?k=v&afx_click=[A-Za-z0-9_-]+$/);
    expect(new URL(location).searchParams.has("to")).toBe(false);
  });
});
