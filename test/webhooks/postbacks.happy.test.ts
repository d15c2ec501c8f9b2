import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, expectError, okJson, postConversion, click, type TestApp } from "../helpers/app";
import { LOCAL, deliver, startReceiver, type Receiver } from "./receiver";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);

describe("partner postbacks", () => {
  let t: TestApp;
  let rx: Receiver;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, webhookTargets: LOCAL });
    rx = await startReceiver();
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  it("fires the partner's template (GET) for an attributed conversion, macros URL-encoded, unknown ones left out", async () => {
    const f = await createFixture(t);
    const template = `${rx.url}/pb?cid={click_id}&s1={sub1}&s2={sub2}&s5={sub5}&o={order_id}&e={event}&a={amount}&c={commission}&cur={currency}&st={status}&x={nope}`;
    const me = await okJson(await t.request("/api/v1/me", { method: "PATCH", key: f.partner.apiKey, json: { postbackUrl: template } }));
    expect(me.postbackUrl).toBe(template);
    const clickId = await click(t, "anna", "?sub1=camp%20a&sub2=x%26y");
    await t.flushClicks();
    await okJson(await postConversion(t, f.postbackKey, { orderId: "ord/1 2", event: "sale", amount: "50.00", currency: "USD", clickId }), 201);
    // an unattributed conversion fires nothing
    await okJson(await postConversion(t, f.postbackKey, { orderId: "lonely", event: "sale", amount: "50.00" }), 201);
    await deliver(t);
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0]!;
    expect(r.method).toBe("GET");
    expect(r.headers["webhook-signature"]).toBeUndefined();
    expect(r.url).toBe(`/pb?cid=${encodeURIComponent(clickId)}&s1=camp%20a&s2=x%26y&s5=&o=ord%2F1%202&e=sale&a=50.00&c=10.00&cur=USD&st=pending&x=`);
    const log = await okJson(await t.request("/api/v1/me/postbacks", { key: f.partner.apiKey }));
    expect(log.data).toEqual([expect.objectContaining({ eventType: "conversion.created", attempt: 1, status: "succeeded", statusCode: 200, url: `${rx.url}${r.url}` })]);
    expect(log.nextCursor).toBeNull();
  });

  it("retries a failing postback on the same schedule", async () => {
    const f = await createFixture(t);
    await okJson(await t.request(`/api/v1/partners/${f.partner.id}`, { method: "PATCH", key: f.vendorKey, json: { postbackUrl: `${rx.url}/pb?o={order_id}` } }));
    rx.answer(() => ({ status: 500 }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    t.clock.now += 6000;
    rx.answer(() => ({ status: 200 }));
    await deliver(t);
    expect(rx.received.map((r) => r.url)).toEqual(["/pb?o=o1", "/pb?o=o1"]);
    const log = await okJson(await t.request("/api/v1/me/postbacks", { key: f.partner.apiKey }));
    expect(log.data.map((d: { attempt: number; status: string }) => [d.attempt, d.status])).toEqual([[2, "succeeded"], [1, "failed"]]);
    // null stops postbacks
    expect(await okJson(await t.request("/api/v1/me", { method: "PATCH", key: f.partner.apiKey, json: { postbackUrl: null } }))).toMatchObject({ postbackUrl: null });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    expect(rx.received).toHaveLength(2);
  });
});

describe("partner postbacks: target rules", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: T0, webhookTargets: { allowPrivate: false } }); });
  afterEach(async () => { await t.close(); });

  it.each(["http://tracker.example.com/pb", "https://127.0.0.1/pb?c={click_id}", "https://[::1]/pb", "https://10.0.0.1/pb", "https://169.254.169.254/",
    "https://[::ffff:127.0.0.1]/", "https://localhost/pb", "https://{click_id}.example.com/"])("refuses %s when set (400), for the partner and the manager", async (url) => {
    const f = await createFixture(t);
    await expectError(await t.request("/api/v1/me", { method: "PATCH", key: f.partner.apiKey, json: { postbackUrl: url } }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/partners/${f.partner.id}`, { method: "PATCH", key: f.vendorKey, json: { postbackUrl: url } }), 400, "validation_failed");
  });

  it("accepts a public https template; another vendor cannot set it", async () => {
    const f = await createFixture(t);
    const p = await okJson(await t.request(`/api/v1/partners/${f.partner.id}`, { method: "PATCH", key: f.vendorKey, json: { postbackUrl: "https://93.184.216.34/pb?c={click_id}" } }));
    expect(p.postbackUrl).toBe("https://93.184.216.34/pb?c={click_id}");
    const g = await createFixture(t);
    await expectError(await t.request(`/api/v1/partners/${f.partner.id}`, { method: "PATCH", key: g.vendorKey, json: { postbackUrl: null } }), 404, "not_found");
  });
});
