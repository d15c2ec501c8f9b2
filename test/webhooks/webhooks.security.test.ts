import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";
import type { TargetPolicy } from "../../src/services/webhooks/targets";
import { nodeResolve } from "../../src/services/webhooks/nodeResolve";
import { guardedFetch } from "../../src/services/webhooks/guardedFetch";
import { LOCAL, deliver, startReceiver, verifyAt, type Receiver } from "./receiver";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);

describe("webhooks: SSRF rules at creation and at delivery", () => {
  let t: TestApp;
  let rx: Receiver;
  /** a resolver the test controls: DNS that changes between creation and delivery */
  const dns = new Map<string, string[]>();
  const policy: TargetPolicy = {
    allowPrivate: false,
    resolve: async (host) => {
      const answer = dns.get(host);
      return answer ?? nodeResolve(host);
    },
  };
  beforeEach(async () => {
    dns.clear();
    t = await createTestApp({ now: T0, webhookTargets: policy });
    rx = await startReceiver();
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  const create = (key: string, url: string) => t.request("/api/v1/webhooks", { method: "POST", key, json: { url, events: ["*"] } });

  it.each([
    "http://hooks.example.com/x",
    "https://127.0.0.1/x",
    "https://[::1]/x",
    "https://10.0.0.1/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::ffff:7f00:1]/x",
    "https://0.0.0.0/x",
    "https://[::]/x",
    "https://224.0.0.1/x",
    "https://192.168.1.10/x",
    "https://2130706433/x",
    "https://localhost/x",
    "https://api.localhost/x",
    "https://user:pw@hooks.example.com/x",
    "ftp://hooks.example.com/x",
    "not a url",
  ])("refuses %s at creation (400)", async (url) => {
    const f = await createFixture(t);
    const res = await create(f.vendorKey, url);
    const body = await expectError(res, 400, "validation_failed");
    expect(JSON.stringify(body)).toContain("url");
  });

  it("refuses a host name that resolves to a loopback or private address", async () => {
    const f = await createFixture(t);
    dns.set("evil.example.com", ["93.184.216.34", "127.0.0.1"]);
    await expectError(await create(f.vendorKey, "https://evil.example.com/x"), 400, "validation_failed");
    dns.set("inside.example.com", ["10.1.2.3"]);
    await expectError(await create(f.vendorKey, "https://inside.example.com/x"), 400, "validation_failed");
    dns.set("mapped.example.com", ["::ffff:169.254.169.254"]);
    await expectError(await create(f.vendorKey, "https://mapped.example.com/x"), 400, "validation_failed");
    // and the same rules for PATCH
    dns.set("hooks.example.com", ["93.184.216.34"]);
    const e = await okJson(await create(f.vendorKey, "https://hooks.example.com/x"), 201);
    await expectError(await t.request(`/api/v1/webhooks/${e.id}`, { method: "PATCH", key: f.vendorKey, json: { url: "https://10.0.0.1/" } }), 400, "validation_failed");
  });

  it("checks again at delivery: a name that now resolves to a private address is not requested", async () => {
    const f = await createFixture(t);
    dns.set("hooks.example.com", ["93.184.216.34"]);
    const e = await okJson(await create(f.vendorKey, "https://hooks.example.com/x"), 201);
    dns.set("hooks.example.com", ["127.0.0.1"]);
    let requested = 0;
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t, policy, { fetch: async () => { requested++; return new Response("no"); } });
    expect(requested).toBe(0);
    const log = await okJson(await t.request(`/api/v1/webhooks/${e.id}/deliveries`, { key: f.vendorKey }));
    const made = log.data.find((d: { status: string }) => d.status === "failed");
    expect(made).toMatchObject({ statusCode: null, error: expect.stringContaining("refused: the host hooks.example.com resolves to 127.0.0.1") });
  });

  it("checks the addresses it connects to: a name that rebinds to a private address between the check and the connection is not reached", async () => {
    const f = await createFixture(t);
    dns.set("rebind.example.com", ["93.184.216.34"]); // at creation
    // answers in turn at delivery: the check sees a public address, the connection a loopback one
    const answers = [["93.184.216.34"], ["127.0.0.1"]];
    const asked: string[] = [];
    const rebinding: TargetPolicy = { allowPrivate: false, resolve: async (host) => { asked.push(host); return answers.length > 1 ? answers.shift()! : answers[0]!; } };
    const e = await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: "https://rebind.example.com/x", events: ["*"] } }), 201);
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t, { ...rebinding, fetch: guardedFetch(rebinding) });
    expect(asked.length).toBeGreaterThanOrEqual(2);
    const log = await okJson(await t.request(`/api/v1/webhooks/${e.id}/deliveries`, { key: f.vendorKey }));
    expect(log.data.find((d: { status: string }) => d.status === "failed"))
      .toMatchObject({ statusCode: null, error: expect.stringContaining("refused: the host rebind.example.com resolves to 127.0.0.1") });
    expect(rx.received).toHaveLength(0);
  });

  it("the checking fetch delivers like the global one: signed body, status, excerpt, a bodiless 204", async () => {
    const local = await createTestApp({ now: T0, webhookTargets: LOCAL });
    try {
      const f = await createFixture(local);
      const targets = { ...LOCAL, fetch: guardedFetch(LOCAL) };
      const created = await okJson(await local.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: `${rx.url}/hook`, events: ["conversion.created"] } }), 201);
      rx.answer(() => ({ status: 503, body: "busy, try later" }));
      await okJson(await postConversion(local, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
      await deliver(local, targets);
      expect(rx.received).toHaveLength(1);
      expect(verifyAt(created.secret, rx.received[0]!)).toMatchObject({ type: "conversion.created", data: { orderId: "o1" } });
      rx.answer(() => ({ status: 204 }));
      local.clock.now += 3_600_000; // past the retry's time
      await deliver(local, targets);
      expect(rx.received).toHaveLength(2);
      const log = await okJson(await local.request(`/api/v1/webhooks/${created.id}/deliveries`, { key: f.vendorKey }));
      expect(log.data.map((d: { statusCode: number | null }) => d.statusCode).sort()).toEqual([204, 503]);
      expect(log.data.find((d: { statusCode: number }) => d.statusCode === 503)).toMatchObject({ error: "HTTP 503", responseExcerpt: "busy, try later" });
    } finally {
      await local.close();
    }
  });

  it("does not follow a redirect (here to another local address)", async () => {
    const local = await createTestApp({ now: T0, webhookTargets: LOCAL });
    const inside = await startReceiver();
    try {
      const f = await createFixture(local);
      rx.answer(() => ({ status: 302, headers: { location: `${inside.url}/metadata` } }));
      const e = await okJson(await local.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: `${rx.url}/hook`, events: ["conversion.created"] } }), 201);
      await okJson(await postConversion(local, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
      await deliver(local);
      expect(rx.received).toHaveLength(1);
      expect(inside.received).toHaveLength(0);
      const log = await okJson(await local.request(`/api/v1/webhooks/${e.id}/deliveries`, { key: f.vendorKey }));
      expect(log.data.find((d: { status: string }) => d.status === "failed")).toMatchObject({ statusCode: 302, error: expect.stringContaining("redirect not followed") });
    } finally {
      await inside.close();
      await local.close();
    }
  });

  it("another vendor's endpoint and deliveries are 404; partner and postback keys are 403", async () => {
    const f = await createFixture(t);
    dns.set("hooks.example.com", ["93.184.216.34"]);
    const e = await okJson(await create(f.vendorKey, "https://hooks.example.com/x"), 201);
    const other = await (await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Other" } })).json();
    for (const [method, path] of [["GET", `/api/v1/webhooks/${e.id}`], ["PATCH", `/api/v1/webhooks/${e.id}`], ["DELETE", `/api/v1/webhooks/${e.id}`],
      ["POST", `/api/v1/webhooks/${e.id}/rotate-secret`], ["GET", `/api/v1/webhooks/${e.id}/deliveries`], ["POST", `/api/v1/webhooks/${e.id}/test`]] as const) {
      await expectError(await t.request(path, { method, key: other.apiKey, ...(method === "PATCH" ? { json: { enabled: false } } : {}) }), 404, "not_found");
    }
    expect((await okJson(await t.request("/api/v1/webhooks", { key: other.apiKey }))).data).toEqual([]);
    await expectError(await t.request("/api/v1/webhook-deliveries/whd_nope/retry", { method: "POST", key: other.apiKey }), 404, "not_found");
    await expectError(await t.request("/api/v1/webhooks", { key: f.partner.apiKey }), 403, "forbidden");
    await expectError(await create(f.postbackKey, "https://hooks.example.com/x"), 403, "forbidden");
    // a program of another vendor cannot be named
    const otherProgram = await okJson(await t.request("/api/v1/programs", { method: "POST", key: other.apiKey, json: { name: "P", allowedDomains: ["p.example.com"] } }), 201);
    await expectError(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: "https://hooks.example.com/x", events: ["*"], programId: otherProgram.id } }), 404, "not_found");
    // unknown events are 400
    await expectError(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: "https://hooks.example.com/x", events: ["conversion.deleted"] } }), 400, "validation_failed");
  });
});
