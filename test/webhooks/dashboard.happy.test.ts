import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PUBLIC_URL, createFixture, createTestApp, okJson, postConversion, type TestApp } from "../helpers/app";
import { LOCAL, deliver, startReceiver, verifyAt, type Receiver } from "./receiver";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("dashboard: webhooks page and the portal's postbacks", () => {
  let t: TestApp;
  let rx: Receiver;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, webhookTargets: LOCAL });
    rx = await startReceiver();
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  async function session(area: "app" | "portal", key: string) {
    const form = await t.request(`/${area}/login`);
    const res = await t.request(`/${area}/login`, {
      method: "POST", redirect: "manual", headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
    });
    const cookie = `afx_s=${/afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? ""}`;
    const get = (path: string) => t.request(path, { headers: { cookie } });
    const post = async (path: string, form: Record<string, string | string[]>, from: string) => {
      const body = new URLSearchParams({ _csrf: csrfOf(await (await get(from)).text()) });
      for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
      return t.request(path, { method: "POST", redirect: "manual", headers: { cookie, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
    };
    return { get, post };
  }

  it("adds an endpoint (secret shown once), sends a test event, shows the delivery log with the answer", async () => {
    const f = await createFixture(t);
    const app = await session("app", f.vendorKey);
    const base = `/app/p/${f.program.id}/webhooks`;
    const empty = await app.get(base);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain("No endpoint yet.");
    const created = await app.post(base, { url: `${rx.url}/hook`, events: ["conversion.created", "commission.created"] }, base);
    expect(created.status).toBe(200);
    const html = await created.text();
    const secret = /value="(whsec_[^"]+)"/.exec(html)?.[1];
    expect(secret).toBeDefined();
    // not on the next view
    expect(await (await app.get(base)).text()).not.toContain(secret!);
    const [endpoint] = (await okJson(await t.request("/api/v1/webhooks", { key: f.vendorKey }))).data;
    expect(endpoint).toMatchObject({ events: ["conversion.created", "commission.created"], programId: null });
    const page = `${base}/${endpoint.id}`;
    expect((await app.post(`${page}/test`, {}, page)).status).toBe(303);
    rx.answer(() => ({ status: 200, body: "thanks from the receiver" }));
    await deliver(t);
    expect(verifyAt(secret!, rx.received[0]!)).toMatchObject({ type: "webhook.test" });
    const log = await (await app.get(page)).text();
    expect(log).toContain("webhook.test");
    expect(log).toContain("thanks from the receiver");
    const csv = await (await app.get(`${page}?format=csv&table=deliveries`)).text();
    expect(csv).toContain("webhook.test");
    // disable from the page
    expect((await app.post(`${page}/enabled`, { enabled: "0" }, page)).status).toBe(303);
    expect(await okJson(await t.request(`/api/v1/webhooks/${endpoint.id}`, { key: f.vendorKey }))).toMatchObject({ enabled: false });
    // another vendor's endpoint is not found from this program's page
    const g = await createFixture(t);
    const other = await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: g.vendorKey, json: { url: `${rx.url}/g`, events: ["*"] } }), 201);
    expect((await app.get(`${base}/${other.id}`)).status).toBe(404);
  });

  it("the portal sets the postback URL and lists its deliveries", async () => {
    const f = await createFixture(t);
    const portal = await session("portal", f.partner.apiKey);
    const page = await portal.get("/portal/postbacks");
    expect(page.status).toBe(200);
    const saved = await portal.post("/portal/postbacks", { postbackUrl: `${rx.url}/pb?o={order_id}&c={commission}` }, "/portal/postbacks");
    expect(saved.status).toBe(303);
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 201);
    await deliver(t);
    expect(rx.received.map((r) => r.url)).toEqual(["/pb?o=o1&c=10.00"]);
    const html = await (await portal.get("/portal/postbacks")).text();
    expect(html).toContain("conversion.created");
    expect(html).toContain(`${rx.url}/pb?o=o1&amp;c=10.00`);
    const refused = await portal.post("/portal/postbacks", { postbackUrl: "ftp://x.example.com/" }, "/portal/postbacks");
    expect(refused.status).toBe(303);
    expect(decodeURIComponent(decodeURIComponent(refused.headers.get("set-cookie") ?? ""))).toContain("must use https");
    expect((await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }))).postbackUrl).toBe(`${rx.url}/pb?o={order_id}&c={commission}`);
  });
});
