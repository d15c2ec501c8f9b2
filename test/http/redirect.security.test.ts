import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BROWSER_UA, countRows, createFixture, createTestApp, expectError, type TestApp } from "../helpers/app";

const get = (t: TestApp, path: string, headers: Record<string, string> = {}) =>
  t.request(path, { headers: { "user-agent": BROWSER_UA, ...headers } });

async function expectNotFoundPage(res: Response) {
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.headers.get("location")).toBeNull();
  expect(res.headers.get("set-cookie")).toBeNull();
  expect(await res.text()).toMatch(/<html/i);
}

describe("redirect: what is not a link", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("answers an unknown slug with a 404 HTML page and records nothing", async () => {
    await createFixture(t);
    await expectNotFoundPage(await get(t, "/nosuchlink"));
    const head = await t.request("/nosuchlink", { method: "HEAD", headers: { "user-agent": BROWSER_UA } });
    expect(head.status).toBe(404);
    expect(head.headers.get("location")).toBeNull();
    await t.flushClicks();
    expect(await countRows(t, "clicks")).toBe(0);
  });

  it("answers malformed slugs with a 404 HTML page", async () => {
    await createFixture(t);
    for (const path of ["/an", "/a%20b", "/anna%0d%0aSet-Cookie:x=1", `/${"x".repeat(65)}`, "/bad.slug", "/%E2%9C%93%E2%9C%93%E2%9C%93"]) {
      await expectNotFoundPage(await get(t, path));
    }
    await t.flushClicks();
    expect(await countRows(t, "clicks")).toBe(0);
  });

  it("matches slugs exactly (case-sensitive)", async () => {
    await createFixture(t);
    await expectNotFoundPage(await get(t, "/ANNA"));
  });

  it("answers 404 for an archived link at once, in this process", async () => {
    const f = await createFixture(t);
    expect((await get(t, "/anna")).status).toBe(302); // cached now
    const patch = await t.request(`/api/v1/links/${f.link.id}`, { method: "PATCH", key: f.vendorKey, json: { archived: true } });
    expect(patch.status).toBe(200);
    expect((await patch.json()).archived).toBe(true);
    await t.flushClicks();
    const before = await countRows(t, "clicks");
    await expectNotFoundPage(await get(t, "/anna"));
    await t.flushClicks();
    expect(await countRows(t, "clicks")).toBe(before);
    // and back
    const restore = await t.request(`/api/v1/links/${f.link.id}`, { method: "PATCH", key: f.vendorKey, json: { archived: false } });
    expect(restore.status).toBe(200);
    expect((await get(t, "/anna")).status).toBe(302);
  });

  it("never treats reserved first path segments as slugs, even if such a link were stored", async () => {
    await createFixture(t);
    // bypass the API's validation: a stored link with a reserved slug must still never redirect
    for (const slug of ["app", "portal", "static", "v1", "api", "healthz", "Portal", "planted"]) {
      await t.client.execute({
        sql: `INSERT INTO links (id, num, program_id, partner_id, slug, destination, allow_deep_links, archived, created_at, updated_at)
              SELECT ?, (SELECT max(num) + 1 FROM links), program_id, partner_id, ?, destination, 0, 0, created_at, updated_at FROM links WHERE slug = 'anna'`,
        args: [`lnk_reserved_${slug}`, slug],
      });
    }
    for (const path of ["/app", "/portal", "/Portal", "/static", "/v1", "/api", "/healthz", "/robots.txt", "/afflux.js", "/px.gif", "/favicon.ico"]) {
      const res = await get(t, path);
      expect(res.status, path).not.toBe(302);
      expect(res.headers.get("location"), path).toBeNull();
      expect(res.headers.get("set-cookie"), path).toBeNull();
    }
    // the control: a planted link with an ordinary slug does redirect
    expect((await get(t, "/planted")).status).toBe(302);
    await t.flushClicks();
    expect(await countRows(t, "clicks")).toBe(1);
  });

  it("refuses reserved slugs in link creation, whatever their case", async () => {
    const f = await createFixture(t);
    for (const slug of ["api", "v1", "healthz", "app", "portal", "static", "Api", "HEALTHZ", "px.gif", "robots.txt", "favicon.ico", "afflux.js"]) {
      const res = await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/", slug } });
      const err = await expectError(res, 400, "validation_failed");
      expect(err.details?.[0]?.path, slug).toBe("slug");
    }
    for (const slug of ["api", "v1"]) {
      const res = await t.request("/api/v1/me/links", { method: "POST", key: f.partner.apiKey, json: { destination: "https://shop.example.com/", slug } });
      await expectError(res, 400, "validation_failed");
    }
  });
});

describe("redirect: hostile input", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("never puts CR, LF or spaces into the Location, whatever the query holds", async () => {
    await createFixture(t, { link: { allowDeepLinks: true } });
    const queries = [
      "?x=%0d%0aSet-Cookie:%20evil=1",
      "?%0d%0a=1",
      "?a=%E2%9C%93&b=%FF%FE",
      "?to=https%3A%2F%2Fblog.example.org%2F%0d%0aX-Evil%3A1",
      "?to=https%3A%2F%2Fevil.com%0d%0a.example.org%2F",
      "?sub1=%3Cscript%3E",
    ];
    for (const q of queries) {
      const res = await get(t, `/anna${q}`);
      expect(res.status, q).toBe(302);
      const location = res.headers.get("location")!;
      expect(location, q).not.toMatch(/[\r\n\s]/);
      const host = new URL(location).hostname;
      expect(host === "shop.example.com" || host.endsWith(".example.org"), `${q} → ${host}`).toBe(true);
      expect(res.headers.get("set-cookie"), q).toMatch(/^afx_click=[A-Za-z0-9_-]+;/);
    }
  });

  it("keeps the Location host to the destination or an allowed host", async () => {
    await createFixture(t, { link: { allowDeepLinks: true } });
    const attempts = [
      "https://evil.com/", "https://evil.com\\@blog.example.org/", "https://blog.example.org@evil.com/", "https://evil.com#.example.org",
      "https://evil.com/.example.org", "https://evil.com?.example.org", "https://evil.com%2F.example.org", "http://[::1]/", "https://127.0.0.1/",
      "data:text/html,hi", "https://EXAMPLE.org.evil.com/",
    ];
    for (const attempt of attempts) {
      const res = await get(t, `/anna?to=${encodeURIComponent(attempt)}`);
      expect(res.status, attempt).toBe(302);
      const host = new URL(res.headers.get("location")!).hostname;
      expect(host === "shop.example.com" || host === "example.org" || host.endsWith(".example.org"), `${attempt} → ${host}`).toBe(true);
    }
  });
});
