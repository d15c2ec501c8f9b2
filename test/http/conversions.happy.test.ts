import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, click, countRows, createFixture, createTestApp, postConversion, sqlRows, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);
const DAY = 86_400_000;
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/** The same id with one character changed (still base64url). */
function tamper(id: string, at = 12): string {
  const ch = id[at] === "A" ? "B" : "A";
  return id.slice(0, at) + ch + id.slice(at + 1);
}

async function created(res: Response) {
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text);
}

describe("POST /v1/conversions: recording", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  it("answers 201 with the whole conversion", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "ord_1001", event: "sale", amount: "49.99", currency: "USD", clickId, customerId: "cus_42" }));
    expect(body).toEqual({
      id: expect.stringMatching(/^\S+$/), orderId: "ord_1001", event: "sale", amount: "49.99", refunded: "0.00", currency: "USD",
      source: "postback", status: "attributed", reason: null,
      attribution: { partnerId: f.partner.id, linkId: f.link.id, clickId, model: "last_click", via: "click" },
      commission: { id: expect.stringMatching(/^\S+$/), amount: "10.00", currency: "USD", status: "pending", flags: [] },
      occurredAt: new Date(T0).toISOString(), createdAt: new Date(T0).toISOString(),
    });
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await countRows(t, "commissions")).toBe(1);
  });

  it("gives conversions and commissions ids that sort by creation time", async () => {
    // new rows then land at the end of the primary-key indexes instead of on a random page
    // (fewer pages written per group commit: postbacks a second)
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const ids: { conversion: string; commission: string }[] = [];
    for (let i = 0; i < 6; i++) {
      t.clock.now = T0 + i * 1000;
      const body = await created(await postConversion(t, f.postbackKey, { orderId: `ord_${i}`, event: "sale", amount: 10, clickId }));
      ids.push({ conversion: body.id, commission: body.commission.id });
    }
    for (const kind of ["conversion", "commission"] as const) {
      const list = ids.map((x) => x[kind]);
      expect([...list].sort(), kind).toEqual(list);
    }
  });

  it("attributes from the click id before the click row is written", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    expect(await countRows(t, "clicks")).toBe(0);
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: 10, clickId }));
    expect(body.attribution).toMatchObject({ clickId, via: "click", linkId: f.link.id });
  });

  it("replays an identical request with 200 and the same body, writing nothing", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const req = { orderId: "o1", event: "sale", amount: "49.99", clickId, customerId: "cus_1" };
    const first = await created(await postConversion(t, f.postbackKey, req));
    const counts = async () => [await countRows(t, "conversions"), await countRows(t, "commissions"), await countRows(t, "customers")];
    const before = await counts();
    t.clock.now += 60_000;
    for (const amount of ["49.99", 49.99, "49.990"]) {
      const res = await postConversion(t, f.postbackKey, { ...req, amount, currency: "USD" });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(first);
    }
    expect(await counts()).toEqual(before);
  });

  it("accepts the GET postback with the same rules and response", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const q = new URLSearchParams({ key: f.postbackKey, order: "g1", event: "sale", amount: "25.00", currency: "USD", click: clickId, customer: "cus_g" });
    const first = await created(await t.request(`/v1/postback?${q}`));
    expect(first).toMatchObject({ orderId: "g1", amount: "25.00", status: "attributed", attribution: { clickId, via: "click" }, commission: { amount: "5.00", status: "pending" } });
    const replay = await t.request(`/v1/postback?${q}`);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(first);
    // the same order over POST is the same conversion
    const post = await postConversion(t, f.postbackKey, { orderId: "g1", event: "sale", amount: "25" });
    expect(post.status).toBe(200);
    expect((await post.json()).id).toBe(first.id);
    // the key may also come as a bearer token
    const bearer = await t.request(`/v1/postback?order=g2&event=lead&coupon=anna10`, { key: f.postbackKey });
    expect((await created(bearer)).attribution).toMatchObject({ via: "coupon", partnerId: f.partner.id });
    expect(await countRows(t, "conversions")).toBe(2);
  });

  it("stores and echoes a backfilled occurredAt", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    t.clock.now = T0 + 3 * DAY;
    const occurredAt = new Date(T0 + 3_600_000).toISOString();
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId, occurredAt }));
    expect(body.occurredAt).toBe(occurredAt);
    expect(body.createdAt).toBe(new Date(T0 + 3 * DAY).toISOString());
    expect(body.status).toBe("attributed");
  });

  it("stores money in minor units of the program's currency (JPY)", async () => {
    const f = await createFixture(t, { program: { currency: "JPY", minPayout: "5000" } });
    const clickId = await click(t, "anna");
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "j1", event: "sale", amount: "1500", clickId }));
    expect(body).toMatchObject({ amount: "1500", refunded: "0", currency: "JPY", commission: { amount: "300", currency: "JPY" } });
    expect(await sqlRows(t, "SELECT amount FROM conversions")).toEqual([{ amount: 1500 }]);
  });
});

describe("attribution reasons", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  async function expectUnattributed(res: Response, reason: string) {
    const body = await created(res);
    expect(body).toMatchObject({ status: "unattributed", reason, attribution: null, commission: null });
    return body;
  }

  it("no_identifier", async () => {
    const f = await createFixture(t);
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10" }), "no_identifier");
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "10", clickId: "", coupon: "" }), "no_identifier");
    expect(await countRows(t, "commissions")).toBe(0);
  });

  it("click_unknown for a tampered, truncated or made-up click id", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const forged = [tamper(clickId), tamper(clickId, 3), tamper(clickId, clickId.length - 2), clickId.slice(0, -1), `${clickId}A`, "nope", "x".repeat(40)];
    for (const [i, id] of forged.entries()) {
      expect(id).not.toBe(clickId);
      await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: `o${i}`, event: "sale", amount: "10", clickId: id }), "click_unknown");
    }
  });

  it("click_other_program for a click id of another program", async () => {
    const f = await createFixture(t);
    await createFixture(t, { link: { slug: "other" } });
    const foreign = await click(t, "other");
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId: foreign }), "click_other_program");
  });

  it("bot_click for a bot's click id", async () => {
    const f = await createFixture(t);
    const botClick = await click(t, "anna", "", GOOGLEBOT);
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId: botClick }), "bot_click");
  });

  it("click_expired past cookieDays (boundary inclusive)", async () => {
    const f = await createFixture(t, { program: { cookieDays: 30 } });
    const clickId = await click(t, "anna");
    t.clock.now = T0 + 30 * DAY;
    expect((await created(await postConversion(t, f.postbackKey, { orderId: "in", event: "sale", amount: "10", clickId }))).status).toBe("attributed");
    t.clock.now = T0 + 30 * DAY + 1;
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "out", event: "sale", amount: "10", clickId }), "click_expired");
    t.clock.now = T0 + 45 * DAY;
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "late", event: "sale", amount: "10", clickId }), "click_expired");
  });

  it("click_expired when the click is more than 5 minutes after occurredAt", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    const at = (ms: number) => new Date(ms).toISOString();
    expect((await created(await postConversion(t, f.postbackKey, { orderId: "drift", event: "sale", amount: "10", clickId, occurredAt: at(T0 - 5 * 60_000) }))).status).toBe("attributed");
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "before", event: "sale", amount: "10", clickId, occurredAt: at(T0 - 5 * 60_000 - 1) }), "click_expired");
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "long-before", event: "sale", amount: "10", clickId, occurredAt: at(T0 - DAY) }), "click_expired");
  });

  it("customer_unknown and coupon_unknown", async () => {
    const f = await createFixture(t);
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", customerId: "cus_never" }), "customer_unknown");
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "10", coupon: "NOPE" }), "coupon_unknown");
    // an unattributed conversion does not make its customer known
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o3", event: "sale", amount: "10", customerId: "cus_never" }), "customer_unknown");
  });

  it("the reason belongs to the first identifier given", async () => {
    const f = await createFixture(t);
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId: "forged-click-id-000000", customerId: "cus_x", coupon: "NOPE" }), "click_unknown");
    await expectUnattributed(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "10", customerId: "cus_x", coupon: "NOPE" }), "customer_unknown");
  });
});

describe("attribution by customer, coupon and identifier order", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  it("attributes a returning customer without a click via customer", async () => {
    const f = await createFixture(t);
    const clickId = await click(t, "anna");
    await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId, customerId: "cus_1" }));
    t.clock.now = T0 + 400 * DAY; // lifetime: no window
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "30.00", customerId: "cus_1" }));
    expect(body).toMatchObject({
      status: "attributed", reason: null,
      attribution: { partnerId: f.partner.id, linkId: null, clickId: null, via: "customer", model: "last_click" },
      commission: { amount: "6.00", status: "pending" },
    });
  });

  it("attributes a coupon case-insensitively, without link or click", async () => {
    const f = await createFixture(t);
    for (const [i, coupon] of ["ANNA10", "anna10", "AnNa10"].entries()) {
      const body = await created(await postConversion(t, f.postbackKey, { orderId: `c${i}`, event: "sale", amount: "50", coupon }));
      expect(body.attribution).toEqual({ partnerId: f.partner.id, linkId: null, clickId: null, model: "last_click", via: "coupon" });
      expect(body.commission).toMatchObject({ amount: "10.00" });
    }
  });

  it("tries click, then customer, then coupon", async () => {
    const f = await createFixture(t);
    const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB5" }, { slug: "bob" });
    const annaClick = await click(t, "anna");
    // a valid click beats a coupon of another partner
    const a = await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId: annaClick, coupon: "BOB5" }));
    expect(a.attribution).toMatchObject({ partnerId: f.partner.id, via: "click", clickId: annaClick });
    // a failing click falls back to the coupon
    const b = await created(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "10", clickId: tamper(annaClick), coupon: "bob5" }));
    expect(b).toMatchObject({ status: "attributed", reason: null, attribution: { partnerId: bob.partner.id, via: "coupon", linkId: null, clickId: null } });
    // an expired click falls back to the customer, who beats the coupon
    await created(await postConversion(t, f.postbackKey, { orderId: "o3", event: "sale", amount: "10", coupon: "BOB5", customerId: "cus_b" }));
    t.clock.now = T0 + 60 * DAY;
    const c = await created(await postConversion(t, f.postbackKey, { orderId: "o4", event: "sale", amount: "10", clickId: annaClick, customerId: "cus_b", coupon: "ANNA10" }));
    expect(c.attribution).toMatchObject({ partnerId: bob.partner.id, via: "customer" });
  });
});

describe("attribution models with two partners and a returning customer", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  async function scenario(model: "first_click" | "last_click") {
    const f = await createFixture(t, { program: { attribution: model, cookieDays: 30 } });
    const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com" }, { slug: "bob" });
    const annaClick = await click(t, "anna");
    const first = await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "100", clickId: annaClick, customerId: "cus_1" }));
    expect(first.attribution).toMatchObject({ partnerId: f.partner.id, clickId: annaClick, model });
    t.clock.now = T0 + 3_600_000;
    const bobClick = await click(t, "bob");
    t.clock.now = T0 + 2 * 3_600_000;
    const second = await created(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "100", clickId: bobClick, customerId: "cus_1" }));
    const third = await created(await postConversion(t, f.postbackKey, { orderId: "o3", event: "sale", amount: "100", customerId: "cus_1" }));
    return { f, bob, annaClick, bobClick, second, third };
  }

  it("last_click: the presented click wins; the customer maps to the latest partner", async () => {
    const { f, bob, bobClick, second, third } = await scenario("last_click");
    expect(second.attribution).toEqual({ partnerId: bob.partner.id, linkId: bob.link!.id, clickId: bobClick, model: "last_click", via: "click" });
    expect(third.attribution).toEqual({ partnerId: bob.partner.id, linkId: null, clickId: null, model: "last_click", via: "customer" });
    expect(f.partner.id).not.toBe(bob.partner.id);
  });

  it("first_click: the customer's earlier click in the window wins; the customer maps to the first partner", async () => {
    const { f, annaClick, second, third } = await scenario("first_click");
    expect(second.attribution).toEqual({ partnerId: f.partner.id, linkId: f.link.id, clickId: annaClick, model: "first_click", via: "click" });
    expect(third.attribution).toEqual({ partnerId: f.partner.id, linkId: null, clickId: null, model: "first_click", via: "customer" });
  });

  it("first_click: an earlier click outside the window does not win", async () => {
    const { f, bob } = await scenario("first_click");
    t.clock.now = T0 + 40 * DAY;
    const late = await click(t, "bob");
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "o4", event: "sale", amount: "100", clickId: late, customerId: "cus_1" }));
    expect(body.attribution).toMatchObject({ partnerId: bob.partner.id, clickId: late, via: "click" });
  });
});

describe("commissions of new conversions", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); });
  afterEach(async () => { await t.close(); });

  it("is null when no rule matches the event", async () => {
    const f = await createFixture(t);
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", coupon: "ANNA10" }));
    expect(body).toMatchObject({ event: "lead", amount: "0.00", status: "attributed", commission: null });
    expect(await countRows(t, "commissions")).toBe(0);
  });

  it("prices a lead with a flat rule", async () => {
    const f = await createFixture(t);
    const rule = await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "5.00" } });
    expect(rule.status).toBe(201);
    const clickId = await click(t, "anna");
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", clickId }));
    expect(body.commission).toMatchObject({ amount: "5.00", currency: "USD", status: "pending" });
    // a sale and a lead may share an orderId
    const sale = await created(await postConversion(t, f.postbackKey, { orderId: "l1", event: "sale", amount: "12.34", clickId }));
    expect(sale.commission).toMatchObject({ amount: "2.47" }); // 20% of 12.34 = 2.468 → 2.47
  });

  it("a rule of the partner's tier beats the program-wide rule", async () => {
    const f = await createFixture(t);
    const tierRule = await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "30", tierId: f.partner.tierId } });
    expect(tierRule.status).toBe(201);
    // a newer program-wide rule still loses to the tier's
    t.clock.now += 1000;
    expect((await t.request(`/api/v1/rules/${f.rule.id}`, { method: "DELETE", key: f.vendorKey })).status).toBe(200);
    expect((await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "10" } })).status).toBe(201);
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "100", coupon: "ANNA10" }));
    expect(body.commission.amount).toBe("30.00");
  });

  it("sets availableAt to createdAt + holdDays", async () => {
    const f = await createFixture(t, { program: { holdDays: 14 } });
    const body = await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10" }));
    const list = await (await t.request(`/api/v1/commissions?programId=${f.program.id}`, { key: f.vendorKey })).json();
    expect(list.data).toEqual([{
      id: body.commission.id, conversionId: body.id, partnerId: f.partner.id, amount: "2.00", currency: "USD", status: "pending",
      createdAt: new Date(T0).toISOString(), availableAt: new Date(T0 + 14 * DAY).toISOString(), flags: [],
    }]);
  });

  it("sets availableAt to createdAt when holdDays is 0", async () => {
    const f = await createFixture(t, { program: { holdDays: 0 } });
    await created(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10" }));
    const [row] = await sqlRows(t, "SELECT created_at, available_at, status FROM commissions");
    expect(row).toEqual({ created_at: T0, available_at: T0, status: "pending" });
  });
});
