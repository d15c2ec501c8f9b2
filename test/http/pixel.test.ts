import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, createFixture, createTestApp, postConversion, sqlRows, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;

async function expectGif(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("image/gif");
  expect(res.headers.get("cache-control")).toBe("no-store");
  const bytes = new Uint8Array(await res.arrayBuffer());
  expect(new TextDecoder().decode(bytes.slice(0, 6))).toBe("GIF89a");
  // 1×1
  expect(bytes[6]! | (bytes[7]! << 8)).toBe(1);
  expect(bytes[8]! | (bytes[9]! << 8)).toBe(1);
}

const px = (t: TestApp, params: Record<string, string>, headers: Record<string, string> = {}) =>
  t.request(`/px.gif?${new URLSearchParams(params)}`, { headers });

describe("GET /px.gif", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("always answers 200 with the GIF, recording nothing for bad requests", async () => {
    const clickId = await click(t, "anna");
    const bad = [
      "/px.gif",
      "/px.gif?%%%&&==",
      `/px.gif?order=o1&amount=10&click=${clickId}`,
      `/px.gif?pk=afx_pub_nope&order=o1&amount=10&click=${clickId}`,
      `/px.gif?pk=${f.postbackKey}&order=o1&amount=10&click=${clickId}`,
      `/px.gif?pk=${f.vendorKey}&order=o1&amount=10&click=${clickId}`,
      `/px.gif?pk=${f.partner.apiKey}&order=o1&amount=10&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&amount=10&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&order=o1&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&order=o1&amount=10.001&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&order=o1&amount=-3&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&order=o1&amount=10&currency=EUR&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&order=o1&amount=10&event=refund&click=${clickId}`,
      `/px.gif?pk=${f.publicKey}&order=${"x".repeat(201)}&amount=10`,
    ];
    for (const path of bad) await expectGif(await t.request(path));
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("records a conversion with source pixel and its commission in hold", async () => {
    const clickId = await click(t, "anna");
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "50.00", currency: "USD", click: clickId }));
    expect(await sqlRows(t, "SELECT order_id, event, amount, source, status, partner_id, link_id, click_id FROM conversions")).toEqual([
      { order_id: "p1", event: "sale", amount: 5000, source: "pixel", status: "attributed", partner_id: f.partner.id, link_id: f.link.id, click_id: clickId },
    ]);
    expect(await sqlRows(t, "SELECT amount, status FROM commissions")).toEqual([{ amount: 1000, status: "hold" }]);
    // a repeat changes nothing
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "50.00", click: clickId }));
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "70.00", click: clickId }));
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await sqlRows(t, "SELECT amount FROM conversions")).toEqual([{ amount: 5000 }]);
  });

  it("records leads too", async () => {
    await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "2.50" } });
    const clickId = await click(t, "anna");
    await expectGif(await px(t, { pk: f.publicKey, order: "signup-1", event: "lead", click: clickId }));
    expect(await sqlRows(t, "SELECT c.event, c.amount, k.amount AS commission, k.status FROM conversions c JOIN commissions k ON k.conversion_id = c.id")).toEqual([
      { event: "lead", amount: 0, commission: 250, status: "hold" },
    ]);
  });

  it("takes the click id from the afx_click cookie when click is absent", async () => {
    const clickId = await click(t, "anna");
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "10" }, { cookie: `other=1; afx_click=${clickId}` }));
    expect(await sqlRows(t, "SELECT click_id, status FROM conversions")).toEqual([{ click_id: clickId, status: "attributed" }]);
  });

  it("prefers the click parameter over the cookie", async () => {
    const cookieClick = await click(t, "anna");
    const paramClick = await click(t, "anna");
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "10", click: paramClick }, { cookie: `afx_click=${cookieClick}` }));
    expect(await sqlRows(t, "SELECT click_id FROM conversions")).toEqual([{ click_id: paramClick }]);
  });

  it("records nothing without a click id (no conversion for a postback to be blocked by)", async () => {
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "10" }));
    expect(await countRows(t, "conversions")).toBe(0);
    expect(await countRows(t, "commissions")).toBe(0);
  });

  it("is superseded by a later postback of the same order", async () => {
    const clickId = await click(t, "anna");
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "50.00", click: clickId }));
    const [before] = await sqlRows(t, "SELECT id FROM conversions");
    const res = await postConversion(t, f.postbackKey, { orderId: "p1", event: "sale", amount: "80.00", clickId });
    expect([200, 201]).toContain(res.status);
    const body = await res.json();
    expect(body).toMatchObject({
      id: before!.id, orderId: "p1", amount: "80.00", source: "postback", status: "attributed",
      attribution: { partnerId: f.partner.id, clickId, via: "click" },
      commission: { amount: "16.00", status: "pending" },
    });
    expect(await countRows(t, "conversions")).toBe(1);
    expect(await sqlRows(t, "SELECT amount, original_amount, status FROM commissions")).toEqual([{ amount: 1600, original_amount: 1600, status: "pending" }]);
    // now postback-sourced: a replay is 200, another amount 409
    const replay = await postConversion(t, f.postbackKey, { orderId: "p1", event: "sale", amount: "80.00", clickId });
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual(body);
    expect((await postConversion(t, f.postbackKey, { orderId: "p1", event: "sale", amount: "81.00" })).status).toBe(409);
  });

  it("never changes a postback-sourced conversion", async () => {
    const clickId = await click(t, "anna");
    expect((await postConversion(t, f.postbackKey, { orderId: "p1", event: "sale", amount: "80.00", clickId })).status).toBe(201);
    const snapshot = async () => [await sqlRows(t, "SELECT * FROM conversions"), await sqlRows(t, "SELECT * FROM commissions")];
    const before = await snapshot();
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "50.00", click: clickId }));
    await expectGif(await px(t, { pk: f.publicKey, order: "p1", amount: "80.00", click: clickId }));
    expect(await snapshot()).toEqual(before);
    expect(before[0]![0]).toMatchObject({ source: "postback", amount: 8000 });
    expect(before[1]![0]).toMatchObject({ status: "pending", amount: 1600 });
  });
});

describe("public endpoints", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("serves /afflux.js as JavaScript", async () => {
    const res = await t.request("/afflux.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    const js = await res.text();
    expect(js.length).toBeGreaterThan(100);
    expect(js).toContain("px.gif");
    expect(js).toContain("afx_click");
  });

  it("answers /healthz with 200 {ok:true}", async () => {
    const res = await t.request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("serves an OpenAPI 3.1 document listing the tracking and management paths", async () => {
    const res = await t.request("/api/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = await res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/conversions", "/v1/postback", "/v1/conversions/refund", "/api/v1/links", "/api/v1/programs", "/api/v1/vendors", "/api/v1/me"]));
    expect(doc.paths["/v1/conversions"].post).toBeDefined();
    expect(doc.paths["/api/v1/links"].post).toBeDefined();
    expect(doc.paths["/api/v1/links"].get).toBeDefined();
  });

  it("serves the API reference as HTML", async () => {
    const res = await t.request("/api/reference");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/<html/i);
    expect(html).toContain("/api/openapi.json");
  });
});
