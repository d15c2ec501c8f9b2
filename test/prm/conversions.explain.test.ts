import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, click, createFixture, createTestApp, expectError, okJson, postConversion, postRefund, type TestApp } from "../helpers/app";

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 10, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("GET /api/v1/conversions/:id: the explanation", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const get = async (id: string, key = f.vendorKey) => okJson(await t.request(`/api/v1/conversions/${id}`, { key }));
  const post = async (json: Record<string, unknown>, fx = f) => okJson(await postConversion(t, fx.postbackKey, { event: "sale", ...json }), 201);

  it("via click: click, link, window, model, tier, rule and arithmetic", async () => {
    const clickId = await click(t, "anna");
    t.clock.now += 2 * HOUR;
    const conv = await post({ orderId: "o1", amount: "100.00", clickId });
    const body = await get(conv.id);
    expect(body).toMatchObject({
      id: conv.id, orderId: "o1", amount: "100.00", refunded: "0.00", currency: "USD", status: "attributed",
      attribution: { partnerId: f.partner.id, linkId: f.link.id, clickId, model: "last_click", via: "click" },
      commission: { id: conv.commission.id, amount: "20.00", status: "pending" },
    });
    const e = body.explanation;
    expect(e.attribution).toContain(clickId);
    expect(e.attribution).toContain(f.link.id);
    expect(e.attribution).toContain("2 h before");
    expect(e.window).toEqual({ cookieDays: 30, model: "last_click" });
    expect(e.tier).toEqual({ id: f.program.entryTierId, name: "Entry" });
    expect(e.rule).toEqual({ id: f.rule.id, type: "percent", value: "20", tierSpecific: false });
    expect(e.arithmetic).toContain("20% of 100.00 USD = 20.00 USD");
  });

  it("via returning customer, with the program's model and window", async () => {
    const p = await createFixture(t, { program: { attribution: "first_click", cookieDays: 7 }, link: { slug: "fc-link" } });
    await post({ orderId: "o1", amount: "10.00", clickId: await click(t, "fc-link"), customerId: "cus_42" }, p);
    const second = await post({ orderId: "o2", amount: "30.00", customerId: "cus_42" }, p);
    expect(second.attribution).toMatchObject({ via: "customer", partnerId: p.partner.id, linkId: null, clickId: null });
    const e = (await get(second.id, p.vendorKey)).explanation;
    expect(e.attribution).toContain("cus_42");
    expect(e.attribution).toContain(p.partner.id);
    expect(e.window).toEqual({ cookieDays: 7, model: "first_click" });
    expect(e.arithmetic).toContain("20% of 30.00 USD = 6.00 USD");
  });

  it("via coupon, with a flat rule", async () => {
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "5.00" } }), 201);
    const lead = await okJson(await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", coupon: "anna10" }), 201);
    const e = (await get(lead.id)).explanation;
    expect(e.attribution).toMatch(/coupon anna10/i);
    expect(e.attribution).toContain(f.partner.id);
    expect(e.rule).toMatchObject({ type: "flat", value: "5.00" });
    expect(e.arithmetic).toContain("5.00 USD");
  });

  it("unattributed: the reason in words, no tier, rule or arithmetic", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{}, "no_identifier", /no click id, customer id or coupon/],
      [{ clickId: "forged-click-id" }, "click_unknown", /not issued by this server/],
      [{ clickId: await click(t, "other") }, "click_other_program", /another program/],
      [{ customerId: "cus_new" }, "customer_unknown", /customer/],
      [{ coupon: "NOPE" }, "coupon_unknown", /coupon/],
    ];
    let i = 0;
    for (const [ids, reason, text] of cases) {
      const conv = await post({ orderId: `u${i++}`, amount: "10.00", ...ids });
      expect(conv.reason).toBe(reason);
      const body = await get(conv.id);
      expect(body).toMatchObject({ status: "unattributed", reason, attribution: null, commission: null });
      expect(body.explanation.attribution).toMatch(/^Not attributed/);
      expect(body.explanation.attribution, reason).toMatch(text);
      expect(body.explanation).toMatchObject({ tier: null, rule: null, arithmetic: null });
      expect(body.explanation.commission).toMatch(/not attributed/);
    }
    void other;
  });

  it("an expired click says so", async () => {
    const clickId = await click(t, "anna");
    t.clock.now += 31 * 24 * HOUR;
    const conv = await post({ orderId: "late", amount: "10.00", clickId });
    expect(conv.reason).toBe("click_expired");
    expect((await get(conv.id)).explanation.attribution).toMatch(/outside the cookie window/);
  });

  it("shows the refund arithmetic", async () => {
    const conv = await post({ orderId: "o1", amount: "99.99", coupon: "ANNA10" });
    await okJson(await postRefund(t, f.postbackKey, { orderId: "o1", amount: "33.33" }));
    const body = await get(conv.id);
    expect(body).toMatchObject({ refunded: "33.33", commission: { amount: "13.33" } });
    expect(body.explanation.arithmetic).toContain("20% of 99.99 USD = 20.00 USD");
    expect(body.explanation.arithmetic).toContain("after refunds of 33.33 USD: 20.00 × 66.66 ÷ 99.99 = 13.33 USD");
  });

  it("says when no rule matched", async () => {
    const lead = await okJson(await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", coupon: "ANNA10" }), 201);
    expect(lead.commission).toBeNull();
    const e = (await get(lead.id)).explanation;
    expect(e.arithmetic).toBeNull();
    expect(e.commission).toMatch(/no rule matched/);
  });

  it("uses the program's currency digits (JPY, KWD)", async () => {
    const jpy = await createFixture(t, { program: { currency: "JPY" }, link: { slug: "jpy-link" } });
    const a = await post({ orderId: "j1", amount: "1999", coupon: "ANNA10" }, jpy);
    expect(a.commission.amount).toBe("400"); // 399.8
    expect((await get(a.id, jpy.vendorKey)).explanation.arithmetic).toContain("20% of 1999 JPY = 400 JPY");
    const kwd = await createFixture(t, { program: { currency: "KWD" }, link: { slug: "kwd-link" } });
    const b = await post({ orderId: "k1", amount: "12.345", coupon: "ANNA10" }, kwd);
    expect(b.commission.amount).toBe("2.469");
    await okJson(await postRefund(t, kwd.postbackKey, { orderId: "k1", amount: "2.345" }));
    const body = await get(b.id, kwd.vendorKey);
    expect(body).toMatchObject({ refunded: "2.345", commission: { amount: "2.000" } });
    expect(body.explanation.arithmetic).toContain("20% of 12.345 KWD = 2.469 KWD");
    expect(body.explanation.arithmetic).toContain("2.469 × 10.000 ÷ 12.345 = 2.000 KWD");
  });

  it("404 for another vendor's or an unknown conversion; 403 for partner and postback keys", async () => {
    const conv = await post({ orderId: "o1", amount: "10.00", coupon: "ANNA10" });
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await t.request(`/api/v1/conversions/${conv.id}`, { key: other.vendorKey }), 404, "not_found");
    await expectError(await t.request("/api/v1/conversions/cnv_unknown", { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/conversions/${conv.id}`, { key: f.partner.apiKey }), 403, "forbidden");
    await expectError(await t.request(`/api/v1/conversions/${conv.id}`, { key: f.postbackKey }), 403, "forbidden");
    await expectError(await t.request("/api/v1/conversions", { key: f.partner.apiKey }), 403, "forbidden");
  });
});

describe("GET /api/v1/conversions: filters and pagination", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const list = async (query: string, key = f.vendorKey) => okJson(await t.request(`/api/v1/conversions?${query}`, { key }));

  it("filters by status, partner, program and time, newest first", async () => {
    const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB" });
    const other = await createFixture(t, { link: { slug: "other" } });
    const ids: Record<string, string> = {};
    const at: Record<string, number> = {};
    for (const [orderId, json] of [
      ["a1", { coupon: "ANNA10" }], ["b1", { coupon: "BOB" }], ["u1", {}], ["a2", { coupon: "ANNA10" }], ["u2", { coupon: "NOPE" }],
    ] as const) {
      t.clock.now += HOUR;
      at[orderId] = t.clock.now;
      ids[orderId] = (await okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "10.00", ...json }), 201)).id;
    }
    await okJson(await postConversion(t, other.postbackKey, { orderId: "x1", event: "sale", amount: "10.00", coupon: "ANNA10" }), 201);

    const orders = (body: { data: { orderId: string }[] }) => body.data.map((c) => c.orderId);
    expect(orders(await list(`programId=${f.program.id}`))).toEqual(["u2", "a2", "u1", "b1", "a1"]);
    expect(orders(await list(""))).toEqual(["u2", "a2", "u1", "b1", "a1"]); // never another vendor's
    expect(orders(await list("status=attributed"))).toEqual(["a2", "b1", "a1"]);
    expect(orders(await list("status=unattributed"))).toEqual(["u2", "u1"]);
    expect(orders(await list(`partnerId=${f.partner.id}`))).toEqual(["a2", "a1"]);
    expect(orders(await list(`partnerId=${bob.id}&status=attributed`))).toEqual(["b1"]);
    expect(orders(await list(`partnerId=${other.partner.id}`))).toEqual([]);
    expect(orders(await list(`programId=${other.program.id}`))).toEqual([]);
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(orders(await list(`from=${iso(at.b1!)}&to=${iso(at.a2!)}`))).toEqual(["u1", "b1"]); // from inclusive, to exclusive
    expect(orders(await list(`from=${iso(at.a2!)}`))).toEqual(["u2", "a2"]);
    const first = (await list(`partnerId=${f.partner.id}`)).data.at(-1);
    expect(first).toMatchObject({ id: ids.a1, amount: "10.00", status: "attributed", attribution: { partnerId: f.partner.id, via: "coupon" }, commission: { amount: "2.00" } });
  });

  it("paginates with limit and cursor, every conversion once", async () => {
    for (let i = 0; i < 7; i++) {
      if (i % 2 === 0) t.clock.now += 1000; // some share a createdAt
      await okJson(await postConversion(t, f.postbackKey, { orderId: `o${i}`, event: "sale", amount: "1.00", coupon: "ANNA10" }), 201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: { orderId: string; createdAt: string }[]; nextCursor: string | null } = await list(`limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((c) => c.orderId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual(["o0", "o1", "o2", "o3", "o4", "o5", "o6"]);
    expect(new Set(seen).size).toBe(7);
    const all = (await list("limit=100")).data as { createdAt: string }[];
    expect(all.map((c) => c.createdAt)).toEqual([...all.map((c) => c.createdAt)].sort().reverse());
  });

  it("400 for bad filters", async () => {
    for (const q of ["status=pending", "limit=0", "limit=101", "from=yesterday", "to=2026-11-31", "to=2026-11-10T00:00"]) {
      await expectError(await t.request(`/api/v1/conversions?${q}`, { key: f.vendorKey }), 400, "validation_failed");
    }
  });
});
