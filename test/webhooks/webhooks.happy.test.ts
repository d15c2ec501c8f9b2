import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, okJson, postConversion, postRefund, sqlRows, type TestApp } from "../helpers/app";
import { settleAll } from "../../src/services/prm/settle";
import { LOCAL, deliver, startReceiver, verifyAt, type Receiver } from "./receiver";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);

describe("webhooks: endpoints, events out, signed", () => {
  let t: TestApp;
  let rx: Receiver;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, webhookTargets: LOCAL });
    rx = await startReceiver();
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  async function addEndpoint(key: string, json: Record<string, unknown>) {
    return okJson(await t.request("/api/v1/webhooks", { method: "POST", key, json }), 201);
  }

  it("shows the secret once, lists endpoints without it", async () => {
    const f = await createFixture(t);
    const created = await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["*"] });
    expect(created).toMatchObject({ id: expect.stringMatching(/^whk_/), url: `${rx.url}/hook`, events: ["*"], enabled: true, programId: null });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const list = await okJson(await t.request("/api/v1/webhooks", { key: f.vendorKey }));
    expect(list.data).toHaveLength(1);
    expect(list.data[0].secret).toBeUndefined();
    expect(list.nextCursor).toBeNull();
    // never stored in plain text
    const [row] = await sqlRows(t, "SELECT secret_sealed AS s FROM webhook_endpoints");
    expect(String(row!.s)).not.toContain(created.secret.slice(6));
  });

  it("delivers conversion.created and commission.created signed (verified by standardwebhooks), with the objects as the API shows them", async () => {
    const f = await createFixture(t);
    const { secret } = await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["*"] });
    const clickId = await click(t, "anna");
    const conversion = await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", currency: "USD", clickId }), 201);
    const run = await deliver(t);
    expect(run).toMatchObject({ attempted: 2, succeeded: 2, failed: 0 });
    expect(rx.received).toHaveLength(2);
    const bodies = rx.received.map((r) => {
      expect(r.method).toBe("POST");
      expect(r.headers["content-type"]).toBe("application/json");
      expect(Number(r.headers["webhook-timestamp"])).toBe(Math.floor(T0 / 1000));
      return verifyAt(secret, r);
    });
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
    expect(byType["conversion.created"]!.data).toEqual(conversion);
    expect(byType["conversion.created"]!.timestamp).toBe(new Date(T0).toISOString());
    expect(byType["commission.created"]!.data).toMatchObject({ id: conversion.commission.id, conversionId: conversion.id, amount: "10.00", status: "pending" });
    // webhook-id is the event id, one per event
    const ids = rx.received.map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^evt_/);
    // nothing more to send
    expect(await deliver(t)).toMatchObject({ attempted: 0 });
  });

  it("a replayed conversion writes no second event", async () => {
    const f = await createFixture(t);
    await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["conversion.created"] });
    const body = { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" };
    await Promise.all([postConversion(t, f.postbackKey, body), postConversion(t, f.postbackKey, body), postConversion(t, f.postbackKey, body)]);
    await deliver(t);
    expect(rx.received).toHaveLength(1);
    expect(await sqlRows(t, "SELECT count(*) AS n FROM events WHERE type = 'conversion.created'")).toEqual([{ n: 1 }]);
  });

  it("refunds send conversion.refunded and commission.updated with the amounts after", async () => {
    const f = await createFixture(t);
    const { secret } = await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["conversion.refunded", "commission.updated"] });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "r1", event: "sale", amount: "100.00", coupon: "ANNA10" }), 201);
    await okJson(await postRefund(t, f.postbackKey, { orderId: "r1", amount: "25.00" }));
    await deliver(t);
    const bodies = rx.received.map((r) => verifyAt(secret, r));
    expect(bodies.map((b) => b.type).sort()).toEqual(["commission.updated", "conversion.refunded"]);
    expect(bodies.find((b) => b.type === "conversion.refunded")!.data).toMatchObject({ orderId: "r1", refunded: "25.00", commission: { amount: "15.00" } });
    expect(bodies.find((b) => b.type === "commission.updated")!.data).toMatchObject({ amount: "15.00", status: "pending" });
    // full refund: the commission is reversed
    rx.received.length = 0;
    await okJson(await postRefund(t, f.postbackKey, { orderId: "r1" }));
    await deliver(t);
    const after = rx.received.map((r) => JSON.parse(r.body));
    expect(after.find((b) => b.type === "commission.updated").data).toMatchObject({ amount: "0.00", status: "reversed" });
  });

  it("a postback taking over a pixel's conversion sends commission.updated (hold → pending, the new amount)", async () => {
    const f = await createFixture(t);
    await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["*"] });
    const clickId = await click(t, "anna");
    const gif = await t.request(`/px.gif?${new URLSearchParams({ pk: f.publicKey, order: "p1", amount: "50.00", click: clickId })}`, { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36" } });
    expect(gif.status).toBe(200);
    await deliver(t);
    expect(rx.received.map((r) => JSON.parse(r.body)).map((b) => [b.type, b.data.status])).toEqual(expect.arrayContaining([["commission.created", "hold"]]));
    rx.received.length = 0;
    const takeover = await postConversion(t, f.postbackKey, { orderId: "p1", event: "sale", amount: "80.00", clickId });
    expect([200, 201]).toContain(takeover.status);
    await deliver(t);
    const bodies = rx.received.map((r) => JSON.parse(r.body));
    expect(bodies.map((b) => b.type)).toEqual(["commission.updated"]);
    expect(bodies[0].data).toMatchObject({ status: "pending", amount: "16.00" });
  });

  it("the settle's approvals send commission.updated", async () => {
    const f = await createFixture(t);
    const { secret } = await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["commission.updated"] });
    const conversion = await okJson(await postConversion(t, f.postbackKey, { orderId: "s1", event: "sale", amount: "100.00", coupon: "ANNA10" }), 201);
    t.clock.now += 1000;
    expect((await settleAll(t.db, t.clock.now)).approved).toBe(1);
    expect((await settleAll(t.db, t.clock.now + 1000)).approved).toBe(0);
    await deliver(t);
    expect(rx.received).toHaveLength(1);
    expect(verifyAt(secret, rx.received[0]!)).toMatchObject({ type: "commission.updated", data: { id: conversion.commission.id, status: "approved", amount: "20.00" } });
  });

  it("every webhook and postback route is in the OpenAPI document", async () => {
    const doc = await okJson(await t.request("/api/openapi.json"));
    for (const path of ["/api/v1/webhooks", "/api/v1/webhooks/{id}", "/api/v1/webhooks/{id}/rotate-secret", "/api/v1/webhooks/{id}/deliveries",
      "/api/v1/webhook-deliveries/{id}/retry", "/api/v1/me", "/api/v1/me/postbacks"]) expect(Object.keys(doc.paths)).toContain(path);
    expect(Object.keys(doc.paths["/api/v1/webhooks/{id}"])).toEqual(expect.arrayContaining(["get", "patch", "delete"]));
    expect(Object.keys(doc.paths["/api/v1/me"])).toEqual(expect.arrayContaining(["get", "patch"]));
  });

  it("filters by event and by program", async () => {
    const f = await createFixture(t);
    const other = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["other.example.com"] } }), 201);
    await addEndpoint(f.vendorKey, { url: `${rx.url}/commissions`, events: ["commission.created"] });
    await addEndpoint(f.vendorKey, { url: `${rx.url}/other`, events: ["*"], programId: other.id });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    expect(rx.received.map((r) => r.url)).toEqual(["/commissions"]);
    expect(JSON.parse(rx.received[0]!.body).type).toBe("commission.created");
  });

  it("PATCH changes url, events and enabled; DELETE removes; the log shows every attempt", async () => {
    const f = await createFixture(t);
    const e = await addEndpoint(f.vendorKey, { url: `${rx.url}/a`, events: ["*"] });
    const patched = await okJson(await t.request(`/api/v1/webhooks/${e.id}`, { method: "PATCH", key: f.vendorKey, json: { url: `${rx.url}/b`, events: ["conversion.created"] } }));
    expect(patched).toMatchObject({ url: `${rx.url}/b`, events: ["conversion.created"], enabled: true });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    expect(rx.received.map((r) => r.url)).toEqual(["/b"]);
    const log = await okJson(await t.request(`/api/v1/webhooks/${e.id}/deliveries`, { key: f.vendorKey }));
    expect(log.data).toEqual([{
      id: expect.stringMatching(/^whd_/), eventId: rx.received[0]!.headers["webhook-id"], eventType: "conversion.created", attempt: 1, status: "succeeded",
      at: new Date(T0).toISOString(), statusCode: 200, durationMs: expect.any(Number), error: null, responseExcerpt: "ok", nextAttemptAt: null, url: `${rx.url}/b`,
    }]);
    const off = await okJson(await t.request(`/api/v1/webhooks/${e.id}`, { method: "PATCH", key: f.vendorKey, json: { enabled: false } }));
    expect(off).toMatchObject({ enabled: false, disabledReason: "manual" });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    expect(rx.received).toHaveLength(1);
    expect(await okJson(await t.request(`/api/v1/webhooks/${e.id}`, { method: "DELETE", key: f.vendorKey }))).toEqual({ id: e.id, deleted: true });
    expect((await t.request(`/api/v1/webhooks/${e.id}`, { key: f.vendorKey })).status).toBe(404);
    expect(await sqlRows(t, "SELECT count(*) AS n FROM webhook_deliveries")).toEqual([{ n: 0 }]);
  });

  it("rotate-secret: both secrets sign for 24 hours, then only the new one", async () => {
    const f = await createFixture(t);
    const e = await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["conversion.created"] });
    const { secret: fresh } = await okJson(await t.request(`/api/v1/webhooks/${e.id}/rotate-secret`, { method: "POST", key: f.vendorKey }));
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(e.secret);
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    const first = rx.received[0]!;
    expect(String(first.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    expect(verifyAt(e.secret, first)).toMatchObject({ type: "conversion.created" });
    expect(verifyAt(fresh, first)).toMatchObject({ type: "conversion.created" });
    t.clock.now = T0 + 24 * 3600_000 + 1000;
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    const second = rx.received[1]!;
    expect(String(second.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(() => verifyAt(e.secret, second)).toThrow(/No matching signature/);
    expect(verifyAt(fresh, second)).toMatchObject({ type: "conversion.created" });
  });

  it("manual retry sends the same event again at once with the same webhook-id; a test event reaches only its endpoint", async () => {
    const f = await createFixture(t);
    const e = await addEndpoint(f.vendorKey, { url: `${rx.url}/hook`, events: ["conversion.created"] });
    const other = await addEndpoint(f.vendorKey, { url: `${rx.url}/other`, events: ["*"] });
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    const log = await okJson(await t.request(`/api/v1/webhooks/${e.id}/deliveries`, { key: f.vendorKey }));
    const queued = await okJson(await t.request(`/api/v1/webhook-deliveries/${log.data[0].id}/retry`, { method: "POST", key: f.vendorKey }), 202);
    expect(queued).toMatchObject({ attempt: 2, status: "pending", eventId: log.data[0].eventId });
    rx.received.length = 0;
    await deliver(t);
    expect(rx.received.map((r) => [r.url, r.headers["webhook-id"]])).toEqual([["/hook", log.data[0].eventId]]);
    rx.received.length = 0;
    await okJson(await t.request(`/api/v1/webhooks/${e.id}/test`, { method: "POST", key: f.vendorKey }), 202);
    await deliver(t);
    expect(rx.received.map((r) => r.url)).toEqual(["/hook"]);
    expect(verifyAt(e.secret, rx.received[0]!)).toMatchObject({ type: "webhook.test" });
    expect((await okJson(await t.request(`/api/v1/webhooks/${other.id}/deliveries`, { key: f.vendorKey }))).data.map((d: { eventType: string }) => d.eventType))
      .not.toContain("webhook.test");
  });
});
