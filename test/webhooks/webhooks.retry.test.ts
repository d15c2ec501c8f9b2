import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";
import { claimDue } from "../../src/db/queries/webhooks";
import { LEASE_MS, RETRY_DELAYS_MS } from "../../src/domain/webhooks";
import { guardedFetch } from "../../src/services/webhooks/guardedFetch";
import { LOCAL, deliver, startReceiver, type Receiver } from "./receiver";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);
const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe("webhooks: retries, disabling, crashes", () => {
  let t: TestApp;
  let rx: Receiver;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, webhookTargets: LOCAL });
    rx = await startReceiver();
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  async function setup(events = ["conversion.created"]) {
    const f = await createFixture(t);
    const e = await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: `${rx.url}/hook`, events } }), 201);
    return { f, e };
  }
  const log = async (key: string, id: string) => (await okJson(await t.request(`/api/v1/webhooks/${id}/deliveries?limit=100`, { key }))).data;
  /** the newest attempt that was made (the log also lists the one pending) */
  const lastMade = async (key: string, id: string) => (await log(key, id)).find((d: { status: string }) => d.status !== "pending");

  it("retries after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (jittered), same webhook-id, then stops", async () => {
    const { f, e } = await setup();
    rx.answer(() => ({ status: 503, body: "down for maintenance" }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    expect(rx.received).toHaveLength(1);
    for (const [i, delay] of RETRY_DELAYS_MS.entries()) {
      const [pending, failed] = await log(f.vendorKey, e.id);
      expect(pending).toMatchObject({ attempt: i + 2, status: "pending", at: null, nextAttemptAt: failed.nextAttemptAt });
      expect(failed).toMatchObject({ attempt: i + 1, status: "failed", statusCode: 503, error: "HTTP 503", responseExcerpt: "down for maintenance" });
      const due = Date.parse(failed.nextAttemptAt) - t.clock.now;
      expect(due).toBeGreaterThanOrEqual(delay * 0.9);
      expect(due).toBeLessThanOrEqual(delay * 1.1);
      // not before it is due
      t.clock.now += Math.floor(delay * 0.85);
      await deliver(t);
      expect(rx.received).toHaveLength(i + 1);
      t.clock.now = Date.parse(failed.nextAttemptAt);
      await deliver(t);
      expect(rx.received).toHaveLength(i + 2);
    }
    const last = await lastMade(f.vendorKey, e.id);
    expect(last).toMatchObject({ attempt: 8, status: "failed", nextAttemptAt: null });
    t.clock.now += 30 * DAY;
    await deliver(t);
    expect(rx.received).toHaveLength(8);
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    // the endpoint failed for ~28 h, not 5 days: still enabled
    expect(await okJson(await t.request(`/api/v1/webhooks/${e.id}`, { key: f.vendorKey }))).toMatchObject({ enabled: true });
  });

  it("a new conversion's event is written bare and filled in once, at fan-out: a retry after a change sends the first body again", async () => {
    const { f } = await setup(["commission.created"]);
    rx.answer(() => ({ status: 500 }));
    const created = await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    // bare in the group commit: no JSON built for it on the hot path
    expect(await sqlRows(t, "SELECT type, data FROM events WHERE object_id = ?", [created.commission.id])).toEqual([{ type: "commission.created", data: null }]);
    await deliver(t);
    const first = rx.received[0]!.body;
    expect(JSON.parse(first).data).toMatchObject({ id: created.commission.id, status: "pending", amount: "10.00" });
    // the commission changes before the retry; the retry still says what the event said
    await okJson(await t.request(`/api/v1/commissions/${created.commission.id}/reject`, { method: "POST", key: f.vendorKey, json: { reason: "test" } }));
    t.clock.now += RETRY_DELAYS_MS[0]! * 2;
    await deliver(t);
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]!.body).toBe(first);
  });

  it("a success after failures is a success; the endpoint's failing state is forgotten", async () => {
    const { f, e } = await setup();
    let n = 0;
    rx.answer(() => (++n === 1 ? { status: 500 } : { status: 204 }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    t.clock.now += 6000;
    await deliver(t);
    const entries = await log(f.vendorKey, e.id);
    expect(entries.map((d: { attempt: number; status: string }) => [d.attempt, d.status])).toEqual([[2, "succeeded"], [1, "failed"]]);
    expect(await sqlRows(t, "SELECT failing_since AS f FROM webhook_endpoints")).toEqual([{ f: null }]);
  });

  it("an endpoint failing every attempt for 5 days is disabled, and says so", async () => {
    const { f, e } = await setup();
    rx.answer(() => ({ status: 500 }));
    for (let day = 0; day <= 5; day++) {
      await okJson(await postConversion(t, f.postbackKey, { orderId: `o${day}`, event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
      await deliver(t);
      t.clock.now += DAY;
    }
    const shown = await okJson(await t.request(`/api/v1/webhooks/${e.id}`, { key: f.vendorKey }));
    expect(shown).toMatchObject({ enabled: false, disabledReason: "failing", disabledAt: expect.any(String) });
    const sent = rx.received.length;
    await okJson(await postConversion(t, f.postbackKey, { orderId: "after", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    t.clock.now += 11 * HOUR;
    await deliver(t);
    expect(rx.received).toHaveLength(sent);
    // a retry of a disabled endpoint's delivery says why it cannot
    const d = await lastMade(f.vendorKey, e.id);
    const refused = await t.request(`/api/v1/webhook-deliveries/${d.id}/retry`, { method: "POST", key: f.vendorKey });
    expect(refused.status).toBe(409);
    // enabling it again starts afresh
    expect(await okJson(await t.request(`/api/v1/webhooks/${e.id}`, { method: "PATCH", key: f.vendorKey, json: { enabled: true } }))).toMatchObject({ enabled: true, disabledReason: null });
  });

  it("keeps only the first 1 KiB of an answer, and does not wait for the rest", async () => {
    const { f, e } = await setup();
    rx.answer(() => ({ status: 400, body: "é".repeat(2000) }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    const d = await lastMade(f.vendorKey, e.id);
    expect(new TextEncoder().encode(d.responseExcerpt).length).toBeLessThanOrEqual(1024 + 3);
    expect(d.responseExcerpt.startsWith("é".repeat(500))).toBe(true);
    expect(d.statusCode).toBe(400);
  });

  it("a slow answer past the timeout is a failure without a status", async () => {
    const { f, e } = await setup();
    rx.answer(() => ({ status: 200, delayMs: 1500 }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    // the real timeout is 10 s; the same code path with a fetch whose signal fires sooner
    await deliver(t, LOCAL, { fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(200) }) });
    const d = await lastMade(f.vendorKey, e.id);
    expect(d).toMatchObject({ status: "failed", statusCode: null, error: "no answer within 10 s" });
  });

  it("the same through the Node server's checking fetch", async () => {
    const { f, e } = await setup();
    rx.answer(() => ({ status: 200, delayMs: 1500 }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    const checking = guardedFetch(LOCAL);
    await deliver(t, LOCAL, { fetch: (url, init) => checking(url, { ...init, signal: AbortSignal.timeout(200) }) });
    expect(await lastMade(f.vendorKey, e.id)).toMatchObject({ status: "failed", statusCode: null, error: "no answer within 10 s" });
  });

  it("a body that stalls past the timeout is a failure too, with either fetch", async () => {
    const { f, e } = await setup();
    rx.answer(() => ({ status: 200, body: "late", bodyDelayMs: 1500 }));
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    const checking = guardedFetch(LOCAL);
    await deliver(t, LOCAL, { fetch: (url, init) => checking(url, { ...init, signal: AbortSignal.timeout(300) }) });
    expect(await lastMade(f.vendorKey, e.id)).toMatchObject({ status: "failed", error: "no answer within 10 s" });
  });

  it("crash: an event whose delivery state was lost mid-send is delivered again with the same webhook-id", async () => {
    const { f } = await setup();
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    // process A: sends, then never records anything (it froze or died after the receiver got it)
    let sent!: () => void;
    const reached = new Promise<void>((resolve) => { sent = resolve; });
    void deliver(t, LOCAL, { fetch: async (url, init) => { await fetch(url, init); sent(); return new Promise<Response>(() => {}); } });
    await reached;
    expect(rx.received).toHaveLength(1);
    // process B, on the same database, before A's lease ends: nothing is sent twice meanwhile
    await deliver(t);
    expect(rx.received).toHaveLength(1);
    // …and after it: the event goes again, as the same webhook
    t.clock.now += LEASE_MS + 1;
    await deliver(t);
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]!.headers["webhook-id"]).toBe(rx.received[0]!.headers["webhook-id"]);
    expect(await claimDue(t.db, t.clock.now + DAY, LEASE_MS, 10)).toEqual([]);
  });
});
