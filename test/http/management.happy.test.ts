import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, ADMIN_KEY, BROWSER_UA, click, createFixture, createTestApp, postConversion, PUBLIC_URL, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0, 0);
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

async function status(res: Response, expected: number) {
  const text = await res.text();
  expect(res.status, text).toBe(expected);
  return JSON.parse(text);
}

/** Follows nextCursor until the end; returns every page's items. */
async function allPages(t: TestApp, key: string, path: string, limit: number) {
  const pages: { id: string }[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page = await status(await t.request(url, { key }), 200);
    expect(page.data.length).toBeLessThanOrEqual(limit);
    pages.push(page.data);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(50);
  } while (cursor);
  return pages;
}

describe("operator: vendors", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  it("creates a vendor with an admin key that works at once", async () => {
    const vendor = await status(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Acme GmbH" } }), 201);
    expect(vendor).toMatchObject({ id: expect.any(String), name: "Acme GmbH", apiKey: expect.stringMatching(/^afx_sk_[A-Za-z0-9]{20,}$/) });
    const programs = await status(await t.request("/api/v1/programs", { key: vendor.apiKey }), 200);
    expect(programs).toEqual({ data: [], nextCursor: null });
    const other = await status(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Acme GmbH" } }), 201);
    expect(other.id).not.toBe(vendor.id);
    expect(other.apiKey).not.toBe(vendor.apiKey);
  });
});

describe("vendor: programs", () => {
  let t: TestApp;
  let vendorKey: string;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    vendorKey = (await (await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Acme" } })).json()).apiKey;
  });
  afterEach(async () => { await t.close(); });

  it("creates a program with defaults and its keys", async () => {
    const p = await status(await t.request("/api/v1/programs", { method: "POST", key: vendorKey, json: { name: "Shop", allowedDomains: ["shop.example.com", ".example.com"] } }), 201);
    expect(p).toMatchObject({
      id: expect.any(String), name: "Shop", currency: "USD", cookieDays: 30, attribution: "last_click", holdDays: 30,
      allowedDomains: ["shop.example.com", ".example.com"], clickParam: "afx_click", minPayout: "50.00",
      postbackKey: expect.stringMatching(/^afx_pb_/), publicKey: expect.stringMatching(/^afx_pub_/),
    });
    const got = await status(await t.request(`/api/v1/programs/${p.id}`, { key: vendorKey }), 200);
    const { postbackKey: _pb, publicKey: _pub, entryTierId: _tier, ...fields } = p;
    expect(got).toMatchObject(fields);
    // keys are shown once
    expect(got).not.toHaveProperty("postbackKey");
    expect(got).not.toHaveProperty("publicKey");
  });

  it("stores every field given, normalising domains", async () => {
    const p = await status(await t.request("/api/v1/programs", {
      method: "POST", key: vendorKey,
      json: { name: "Yen", currency: "JPY", cookieDays: 3650, attribution: "first_click", holdDays: 0, allowedDomains: ["Shop.Example.COM", ".Bücher.example", "localhost"], clickParam: "ref", minPayout: 5000 },
    }), 201);
    expect(p).toMatchObject({
      currency: "JPY", cookieDays: 3650, attribution: "first_click", holdDays: 0, clickParam: "ref", minPayout: "5000",
      allowedDomains: ["shop.example.com", ".xn--bcher-kva.example", "localhost"],
    });
    const kwd = await status(await t.request("/api/v1/programs", { method: "POST", key: vendorKey, json: { name: "K", currency: "KWD", allowedDomains: ["a.example"], minPayout: "1.5", cookieDays: 1, holdDays: 365 } }), 201);
    expect(kwd).toMatchObject({ minPayout: "1.500", cookieDays: 1, holdDays: 365 });
  });

  it("lists programs newest first, with pagination", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.now = T0 + i * 1000;
      ids.push((await status(await t.request("/api/v1/programs", { method: "POST", key: vendorKey, json: { name: `P${i}`, allowedDomains: ["a.example"] } }), 201)).id);
    }
    const pages = await allPages(t, vendorKey, "/api/v1/programs", 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().map((p) => p.id)).toEqual([...ids].reverse());
  });
});

describe("vendor: partners, links and rules", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("creates partners in the entry tier with a partner key", async () => {
    expect(f.partner).toMatchObject({
      id: expect.any(String), name: "Anna", email: "anna@example.com", status: "approved", tierId: f.program.entryTierId, coupon: "ANNA10",
      apiKey: expect.stringMatching(/^afx_pk_/),
    });
    const bob = await status(await t.request(`/api/v1/programs/${f.program.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "Bob", email: "bob@example.com" } }), 201);
    expect(bob).toMatchObject({ name: "Bob", coupon: null, status: "approved", tierId: f.program.entryTierId });
    // partners without coupons do not collide
    await status(await t.request(`/api/v1/programs/${f.program.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "Cleo", email: "cleo@example.com" } }), 201);
    const list = await status(await t.request(`/api/v1/programs/${f.program.id}/partners`, { key: f.vendorKey }), 200);
    expect(list.data.map((p: { name: string }) => p.name).sort()).toEqual(["Anna", "Bob", "Cleo"]);
    expect(list.nextCursor).toBeNull();
    for (const p of list.data) expect(p).not.toHaveProperty("apiKey");
    // the same coupon is fine in another program
    const other = await status(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["a.example"] } }), 201);
    await status(await t.request(`/api/v1/programs/${other.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "Anna", email: "anna@example.com", coupon: "anna10" } }), 201);
  });

  it("creates links with a given or generated slug", async () => {
    expect(f.link).toMatchObject({
      id: expect.any(String), slug: "anna", url: `${PUBLIC_URL}/anna`, destination: "https://shop.example.com/p",
      programId: f.program.id, partnerId: f.partner.id, allowDeepLinks: false, archived: false,
    });
    const slugs = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const link = await status(await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://blog.example.org/x?y=1", allowDeepLinks: true } }), 201);
      expect(link.slug).toMatch(/^[A-Za-z0-9_-]{7,64}$/);
      expect(link.url).toBe(`${PUBLIC_URL}/${link.slug}`);
      expect(link).toMatchObject({ destination: "https://blog.example.org/x?y=1", allowDeepLinks: true, archived: false });
      slugs.add(link.slug);
      // the generated link redirects
      const res = await t.request(`/${link.slug}`, { headers: { "user-agent": BROWSER_UA } });
      expect(res.status).toBe(302);
    }
    expect(slugs.size).toBe(5);
  });

  it("gets a link and lists links by program and partner with click counts", async () => {
    const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com" }, { slug: "bob" });
    await click(t, "anna");
    await click(t, "anna");
    await click(t, "anna", "", GOOGLEBOT);
    await click(t, "bob");
    await t.flushClicks();
    const anna = await status(await t.request(`/api/v1/links/${f.link.id}`, { key: f.vendorKey }), 200);
    expect(anna).toMatchObject({ id: f.link.id, slug: "anna", url: `${PUBLIC_URL}/anna`, clicks: 2, botClicks: 1 });
    const byProgram = await status(await t.request(`/api/v1/links?programId=${f.program.id}`, { key: f.vendorKey }), 200);
    expect(byProgram.data.map((l: { slug: string; clicks: number; botClicks: number }) => [l.slug, l.clicks, l.botClicks]).sort()).toEqual([["anna", 2, 1], ["bob", 1, 0]]);
    const byPartner = await status(await t.request(`/api/v1/links?partnerId=${bob.partner.id}`, { key: f.vendorKey }), 200);
    expect(byPartner.data).toHaveLength(1);
    expect(byPartner.data[0]).toMatchObject({ slug: "bob", clicks: 1, botClicks: 0, partnerId: bob.partner.id });
    const both = await status(await t.request(`/api/v1/links?programId=${f.program.id}&partnerId=${f.partner.id}`, { key: f.vendorKey }), 200);
    expect(both.data.map((l: { slug: string }) => l.slug)).toEqual(["anna"]);
  });

  it("paginates links with limit and nextCursor, every item once, also with equal createdAt", async () => {
    const created = [f.link.id];
    for (let i = 0; i < 9; i++) {
      if (i % 3 === 0) t.clock.now += 1000; // some share a createdAt
      created.push((await status(await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/" } }), 201)).id);
    }
    for (const limit of [1, 3, 4, 10, 100]) {
      const pages = await allPages(t, f.vendorKey, `/api/v1/links?programId=${f.program.id}`, limit);
      const ids = pages.flat().map((l) => l.id);
      expect(ids, `limit ${limit}`).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
      expect(new Set(ids)).toEqual(new Set(created));
      expect(pages.length).toBe(Math.ceil(10 / limit));
    }
    // newest first
    const first = await status(await t.request(`/api/v1/links?limit=1`, { key: f.vendorKey }), 200);
    expect(created.slice(-3)).toContain(first.data[0].id);
    expect(first.data[0].id).not.toBe(f.link.id);
  });

  it("PATCHes a link's destination and deep-link flag", async () => {
    const patched = await status(await t.request(`/api/v1/links/${f.link.id}`, { method: "PATCH", key: f.vendorKey, json: { destination: "https://www.example.org/new", allowDeepLinks: true } }), 200);
    expect(patched).toMatchObject({ id: f.link.id, slug: "anna", destination: "https://www.example.org/new", allowDeepLinks: true, archived: false, clicks: 0, botClicks: 0 });
    const res = await t.request("/anna?to=https%3A%2F%2Fblog.example.org%2Fa", { headers: { "user-agent": BROWSER_UA } });
    expect(res.headers.get("location")).toMatch(/^https:\/\/blog\.example\.org\/a\?afx_click=/);
  });

  it("creates percent and flat rules, program-wide or for a tier", async () => {
    // one active rule per event and tier: the fixture's program-wide sale rule goes first
    await status(await t.request(`/api/v1/rules/${f.rule.id}`, { method: "DELETE", key: f.vendorKey }), 200);
    const percent = await status(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "12.5" } }), 201);
    expect(percent).toMatchObject({ id: expect.any(String), event: "sale", type: "percent", value: "12.5", tierId: null });
    expect(f.rule).toMatchObject({ event: "sale", type: "percent", value: "20", tierId: null });
    const flat = await status(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: 5 } }), 201);
    expect(flat).toMatchObject({ event: "lead", type: "flat", value: "5.00", tierId: null });
    const tier = await status(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "100", tierId: f.program.entryTierId } }), 201);
    expect(tier).toMatchObject({ value: "100", tierId: f.program.entryTierId });
    const zero = await status(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "percent", value: "0", tierId: f.program.entryTierId } }), 201);
    expect(zero.value).toBe("0");
  });
});

describe("vendor: commissions list", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  it("filters by program, partner and status, newest first", async () => {
    const f = await createFixture(t);
    const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB5" });
    const other = await status(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["shop.example.com"], holdDays: 0 } }), 201);
    await t.request(`/api/v1/programs/${other.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "flat", value: "1.00" } });
    const cleo = await addPartner(t, f.vendorKey, other.id, { name: "Cleo", email: "c@example.com", coupon: "CLEO" });

    const ids: Record<string, string> = {};
    const post = async (key: string, orderId: string, coupon: string) => {
      t.clock.now += 1000;
      const res = await postConversion(t, key, { orderId, event: "sale", amount: "100", coupon });
      expect(res.status).toBe(201);
      ids[orderId] = (await res.json()).commission.id;
    };
    await post(f.postbackKey, "a1", "ANNA10");
    await post(f.postbackKey, "b1", "BOB5");
    await post(f.postbackKey, "a2", "ANNA10");
    await post(other.postbackKey, "c1", "CLEO");
    t.clock.now += 1000;
    const annaClick = await click(t, "anna");
    const pixel = await t.request(`/px.gif?pk=${f.publicKey}&order=a3&amount=50&click=${annaClick}`);
    expect(pixel.status).toBe(200);

    const list = async (query: string) => {
      const body = await status(await t.request(`/api/v1/commissions${query}`, { key: f.vendorKey }), 200);
      expect(body.nextCursor).toBeNull();
      return body.data as { id: string; partnerId: string; status: string; amount: string }[];
    };
    const all = await list("");
    expect(all).toHaveLength(5);
    expect(all.slice(1, 5).map((c) => c.id)).toEqual([ids.c1, ids.a2, ids.b1, ids.a1]);
    expect(all[0]).toMatchObject({ partnerId: f.partner.id, status: "hold", amount: "10.00", currency: "USD" });
    expect((await list(`?programId=${f.program.id}`)).map((c) => c.id)).not.toContain(ids.c1);
    expect(await list(`?programId=${other.id}`)).toEqual([expect.objectContaining({ id: ids.c1, partnerId: cleo.partner.id, amount: "1.00" })]);
    expect((await list(`?partnerId=${bob.partner.id}`)).map((c) => c.id)).toEqual([ids.b1]);
    expect((await list(`?status=hold`)).map((c) => c.partnerId)).toEqual([f.partner.id]);
    expect((await list(`?programId=${f.program.id}&partnerId=${f.partner.id}&status=pending`)).map((c) => c.id)).toEqual([ids.a2, ids.a1]);
    expect(await list(`?status=paid`)).toEqual([]);
    const paged = await status(await t.request(`/api/v1/commissions?limit=2`, { key: f.vendorKey }), 200);
    expect(paged.data).toHaveLength(2);
    expect(typeof paged.nextCursor).toBe("string");
  });
});

describe("partner: /api/v1/me", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("shows the partner with its balance as decimal strings", async () => {
    const empty = await status(await t.request("/api/v1/me", { key: f.partner.apiKey }), 200);
    expect(empty).toMatchObject({ id: f.partner.id, name: "Anna", programId: f.program.id, tierId: f.program.entryTierId, balance: { hold: "0.00", pending: "0.00", approved: "0.00", paid: "0.00" } });
    const clickId = await click(t, "anna");
    for (const [orderId, amount] of [["o1", "100"], ["o2", "10.05"], ["o3", "7"]] as const) {
      expect((await postConversion(t, f.postbackKey, { orderId, event: "sale", amount, clickId })).status).toBe(201);
    }
    await t.request(`/px.gif?pk=${f.publicKey}&order=p1&amount=12.50&click=${clickId}`);
    // o3 goes through a real payout (paid = what payouts paid); o2 is approved but not yet paid out
    await t.client.execute("UPDATE commissions SET status = 'approved' WHERE conversion_id = (SELECT id FROM conversions WHERE order_id = 'o3')");
    await t.client.execute(`UPDATE programs SET min_payout = 0 WHERE id = '${f.program.id}'`);
    const batch = await status(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    await status(await t.request(`/api/v1/payouts/${batch.payouts[0].id}/paid`, { method: "POST", key: f.vendorKey }), 200);
    await t.client.execute("UPDATE commissions SET status = 'approved' WHERE conversion_id = (SELECT id FROM conversions WHERE order_id = 'o2')");
    const me = await status(await t.request("/api/v1/me", { key: f.partner.apiKey }), 200);
    // 20%: o1 20.00 pending, o2 2.01 approved, o3 1.40 paid, p1 2.50 hold
    expect(me.balance).toEqual({ hold: "2.50", pending: "20.00", approved: "2.01", paid: "1.40" });
  });

  it("lists its links with counts and creates links with deep links off", async () => {
    await click(t, "anna");
    await t.flushClicks();
    const links = await status(await t.request("/api/v1/me/links", { key: f.partner.apiKey }), 200);
    expect(links.data).toEqual([expect.objectContaining({ id: f.link.id, slug: "anna", url: `${PUBLIC_URL}/anna`, clicks: 1, botClicks: 0 })]);
    const mine = await status(await t.request("/api/v1/me/links", { method: "POST", key: f.partner.apiKey, json: { destination: "https://shop.example.com/deal", slug: "anna-deal", allowDeepLinks: true } }), 201);
    expect(mine).toMatchObject({ slug: "anna-deal", url: `${PUBLIC_URL}/anna-deal`, partnerId: f.partner.id, programId: f.program.id, destination: "https://shop.example.com/deal", allowDeepLinks: false, archived: false });
    const generated = await status(await t.request("/api/v1/me/links", { method: "POST", key: f.partner.apiKey, json: { destination: "https://shop.example.com/" } }), 201);
    expect(generated.slug).toMatch(/^[A-Za-z0-9_-]{7,}$/);
    const res = await t.request("/anna-deal?to=https%3A%2F%2Fblog.example.org%2F", { headers: { "user-agent": BROWSER_UA } });
    expect(res.headers.get("location")).toMatch(/^https:\/\/shop\.example\.com\/deal\?afx_click=/);
    const after = await status(await t.request("/api/v1/me/links", { key: f.partner.apiKey }), 200);
    expect(after.data).toHaveLength(3);
  });

  it("lists its commissions, filtered by status", async () => {
    const clickId = await click(t, "anna");
    const a = await (await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "100", clickId })).json();
    await t.request(`/px.gif?pk=${f.publicKey}&order=p1&amount=50&click=${clickId}`);
    const all = await status(await t.request("/api/v1/me/commissions", { key: f.partner.apiKey }), 200);
    expect(all.data).toHaveLength(2);
    expect(all.data).toContainEqual(expect.objectContaining({ id: a.commission.id, conversionId: a.id, partnerId: f.partner.id, amount: "20.00", currency: "USD", status: "pending" }));
    const hold = await status(await t.request("/api/v1/me/commissions?status=hold", { key: f.partner.apiKey }), 200);
    expect(hold.data).toEqual([expect.objectContaining({ amount: "10.00", status: "hold" })]);
  });
});
