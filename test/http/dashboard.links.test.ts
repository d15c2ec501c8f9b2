import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, click, createFixture, createTestApp, okJson, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// The link page: full URL, edit destination and deep links, archive and unarchive, the click log
// (the query of GET /api/v1/links/:id/clicks, date filters, paging); search of links and partners.

const T0 = Date.UTC(2026, 2, 10, 12, 0, 0);
const DAY = 86_400_000;

describe("dashboard: links and search", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let s: Awaited<ReturnType<typeof dashboardSession>>;
  let base = "";
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
    s = await dashboardSession(t, "app", f.vendorKey);
    base = `/app/p/${f.program.id}`;
  });
  afterEach(async () => { await t.close(); });

  it("shows the full tracking URL as text and in a copy field, and links to it from the list", async () => {
    const list = await s.get(`${base}/links`);
    expect(list.html).toContain(`href="${base}/links/${f.link.id}"`);
    const page = await s.get(`${base}/links/${f.link.id}`);
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<p class="mono" id="link-url-text">https:\/\/go\.test\/anna<\/p>/);
    expect(page.html).toContain(`data-copy="link-url"`);
  });

  it("edits the destination and deep links; a destination off the allowed domains is refused and kept in the field", async () => {
    const saved = await s.post(`${base}/links/${f.link.id}`, { destination: "https://shop.example.com/new", allowDeepLinks: "1" });
    expect(saved.status).toBe(303);
    const link = await okJson(await t.request(`/api/v1/links/${f.link.id}`, { key: f.vendorKey }));
    expect(link).toMatchObject({ destination: "https://shop.example.com/new", allowDeepLinks: true });
    const res = await t.request("/anna");
    expect(res.headers.get("location")).toContain("https://shop.example.com/new");
    const refused = await s.post(`${base}/links/${f.link.id}`, { destination: "https://evil.example.net/x" });
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain("Nothing was saved: the destination");
    expect(refused.html).toContain(`value="https://evil.example.net/x"`);
  });

  it("a refused new link (taken slug, bad destination) is shown again with what was typed and the partner picked", async () => {
    const { partner } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bo", email: "bo@example.com" });
    const taken = await s.post(`${base}/links`, { partnerId: partner.id, destination: "https://shop.example.com/typed", slug: "anna", allowDeepLinks: "1" });
    expect(taken.status).toBe(409);
    expect(textOf(taken.html)).toContain(`the slug "anna" is taken`);
    expect(taken.html).toContain(`value="https://shop.example.com/typed"`);
    expect(taken.html).toMatch(/id="l-slug"[^>]*value="anna"/);
    expect(taken.html).toMatch(new RegExp(`<option value="${partner.id}" selected`));
    expect(taken.html).toMatch(/name="allowDeepLinks" value="1" checked/);
    const bad = await s.post(`${base}/links`, { partnerId: partner.id, destination: "https://elsewhere.example.net/", slug: "bo-new" });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain("the destination was refused");
    expect(bad.html).toContain(`value="bo-new"`);
    const ok = await s.post(`${base}/links`, { partnerId: partner.id, destination: "https://shop.example.com/ok", slug: "bo-new" });
    expect(ok.status).toBe(303);
  });

  it("archives a link (it answers 404) and unarchives it (it redirects again)", async () => {
    expect((await s.post(`${base}/links/${f.link.id}/archive`, { archived: "1" })).status).toBe(303);
    expect((await t.request("/anna")).status).toBe(404);
    expect(textOf((await s.get(`${base}/links/${f.link.id}`)).html)).toContain("Unarchive link");
    expect((await s.post(`${base}/links/${f.link.id}/archive`, { archived: "0" })).status).toBe(303);
    expect((await t.request("/anna")).status).toBe(302);
  });

  it("lists a link's clicks by day with paging, the same rows as the API, and refuses a reversed range", async () => {
    t.clock.now = T0 - 3 * DAY;
    await click(t, "anna", "?sub1=old");
    t.clock.now = T0;
    for (let i = 0; i < 102; i++) await click(t, "anna", `?sub1=n${i}`);
    await t.flushClicks();
    const today = new Date(T0).toISOString().slice(0, 10);
    const page1 = await s.get(`${base}/links/${f.link.id}/clicks?from=${today}&to=${today}`);
    expect(page1.status).toBe(200);
    expect((page1.html.match(/<tbody>[\s\S]*<\/tbody>/)![0].match(/<tr>/g) ?? []).length).toBe(100);
    const next = /href="([^"]*cursor=[^"]+)"/.exec(page1.html)![1]!.replace(/&amp;/g, "&");
    const page2 = await s.get(next);
    expect((page2.html.match(/<tbody>[\s\S]*<\/tbody>/)![0].match(/<tr>/g) ?? []).length).toBe(2);
    const api = await okJson(await t.request(`/api/v1/links/${f.link.id}/clicks?from=${today}&to=${today}&limit=100`, { key: f.vendorKey }));
    expect(page1.html).toContain(`>${api.data[0].sub1}<`);
    const before = new Date(T0 - 3 * DAY).toISOString().slice(0, 10);
    const old = await s.get(`${base}/links/${f.link.id}/clicks?from=${before}&to=${before}`);
    expect(old.html).toContain(">old<");
    expect(old.html).not.toContain(">n0<");
    const csv = await s.get(`${base}/links/${f.link.id}/clicks?format=csv&table=clicks`);
    expect(csv.html.trim().split("\n")).toHaveLength(1 + 103); // every click of the days, not one page
    const reversed = await s.get(`${base}/links/${f.link.id}/clicks?from=2026-03-09&to=2026-03-01`);
    expect(reversed.status).toBe(400);
    expect(textOf(reversed.html)).toContain("“from” (2026-03-09) is after “to” (2026-03-01)");
    expect(reversed.html).toContain(`value="2026-03-09"`);
  });

  it("another vendor's link is 404 on its page, forms and click log", async () => {
    const other = await createFixture(t, { link: { slug: "other-one" } });
    for (const path of [`${base}/links/${other.link.id}`, `${base}/links/${other.link.id}/clicks`, `/app/p/${other.program.id}/links/${other.link.id}`]) {
      expect((await s.get(path)).status, path).toBe(404);
    }
    expect((await s.post(`${base}/links/${other.link.id}`, { destination: "https://shop.example.com/x" })).status).toBe(404);
    expect((await s.post(`${base}/links/${other.link.id}/archive`, { archived: "1" })).status).toBe(404);
    expect((await t.request("/other-one")).status).toBe(302);
  });

  it("searches partners and links by name, email, coupon or slug (page and API)", async () => {
    await addPartner(t, f.vendorKey, f.program.id, { name: "Bruno Outdoors", email: "bruno@trail.example", coupon: "BRU_50" }, { slug: "bruno-tents" });
    const partners = await s.get(`${base}/partners?q=TRAIL`);
    expect(partners.html).toContain("Bruno Outdoors");
    expect(partners.html).not.toContain(">Anna<");
    expect(partners.html).toContain(`value="TRAIL"`);
    const links = await s.get(`${base}/links?q=bruno-t`);
    expect(links.html).toContain("go.test/bruno-tents");
    expect(links.html).not.toContain("go.test/anna");
    expect(textOf((await s.get(`${base}/links?q=nothing-like-it`)).html)).toContain("No link matches “nothing-like-it”.");
  });
});
