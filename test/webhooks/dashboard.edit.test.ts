import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PUBLIC_URL, createFixture, createTestApp, okJson, type TestApp } from "../helpers/app";
import { csrfOf, signedIn, textOf } from "../helpers/dashboard";
import { LOCAL } from "./receiver";

// A webhook endpoint's page changes its URL and events (PATCH /api/v1/webhooks/{id} in the
// dashboard), with the same URL checks as adding one; another vendor's endpoint is 404.

describe("dashboard: changing a webhook endpoint", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let cookie = "";
  let endpointId = "";
  beforeEach(async () => {
    t = await createTestApp({ webhookTargets: LOCAL });
    f = await createFixture(t);
    cookie = await signedIn(t, f.vendorKey);
    endpointId = (await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: "http://127.0.0.1:9/old", events: ["*"] } }), 201)).id;
  });
  afterEach(async () => { await t.close(); });

  const get = async (path: string, c = cookie) => (await t.request(path, { headers: { cookie: c } })).text();
  async function post(path: string, form: [string, string][], c = cookie) {
    const body = new URLSearchParams([["_csrf", csrfOf(await get(`/app/p/${f.program.id}/webhooks`, c))], ...form]);
    return t.request(path, { method: "POST", redirect: "manual", headers: { cookie: c, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
  }
  const flashOf = async (res: Response) => {
    const set = res.headers.getSetCookie().map((s) => s.split(";")[0]!).filter((s) => !s.endsWith("="));
    return textOf(await get(new URL(res.headers.get("location")!, PUBLIC_URL).pathname, [cookie, ...set].join("; ")));
  };
  const stored = async () => okJson(await t.request(`/api/v1/webhooks/${endpointId}`, { key: f.vendorKey }));

  it("happy: the form shows the URL and events; saving changes both", async () => {
    const page = await get(`/app/p/${f.program.id}/webhooks/${endpointId}`);
    expect(page).toMatch(/id="we-url" name="url" type="url"[^>]*value="http:\/\/127\.0\.0\.1:9\/old"/);
    const res = await post(`/app/p/${f.program.id}/webhooks/${endpointId}/edit`, [["url", "http://127.0.0.1:9/new"], ["events", "conversion.created"], ["events", "payout.created"]]);
    expect(res.status).toBe(303);
    expect(await flashOf(res)).toContain("Endpoint saved: http://127.0.0.1:9/new, conversion.created, payout.created.");
    expect(await stored()).toMatchObject({ url: "http://127.0.0.1:9/new", events: ["conversion.created", "payout.created"] });
    const after = await get(`/app/p/${f.program.id}/webhooks/${endpointId}`);
    expect(after).toMatch(/name="events" value="payout\.created" checked/);
  });

  it("error: a URL the checks refuse changes nothing and says why", async () => {
    const res = await post(`/app/p/${f.program.id}/webhooks/${endpointId}/edit`, [["url", "not a url"], ["events", "*"]]);
    expect(res.status).toBe(303);
    expect(await flashOf(res)).toContain("Nothing was saved:");
    expect(await stored()).toMatchObject({ url: "http://127.0.0.1:9/old", events: ["*"] });
  });

  it("security: another vendor's endpoint is 404 and unchanged", async () => {
    const other = await createFixture(t);
    const theirs = (await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: other.vendorKey, json: { url: "http://127.0.0.1:9/theirs", events: ["*"] } }), 201)).id;
    expect((await post(`/app/p/${f.program.id}/webhooks/${theirs}/edit`, [["url", "http://127.0.0.1:9/mine"], ["events", "*"]])).status).toBe(404);
    expect(await okJson(await t.request(`/api/v1/webhooks/${theirs}`, { key: other.vendorKey }))).toMatchObject({ url: "http://127.0.0.1:9/theirs" });
  });

  it("rotating the secret: the same form sent twice (a reload) is refused and the secret shown first stays current", async () => {
    const page = await get(`/app/p/${f.program.id}/webhooks/${endpointId}`);
    const since = /name="since" value="(\d+)"/.exec(page)![1]!;
    t.clock.now += 1000; // the endpoint's version is its updatedAt, in ms
    const first = await post(`/app/p/${f.program.id}/webhooks/${endpointId}/rotate`, [["since", since]]);
    expect(first.status).toBe(200);
    expect(textOf(await first.text())).toContain("New signing secret");
    t.clock.now += 1000;
    const again = await post(`/app/p/${f.program.id}/webhooks/${endpointId}/rotate`, [["since", since]]);
    expect(again.status).toBe(303);
    expect(await flashOf(again)).toContain("Nothing was changed: the endpoint changed since this page was shown");
    const fresh = /name="since" value="(\d+)"/.exec(await get(`/app/p/${f.program.id}/webhooks/${endpointId}`))![1]!;
    expect(fresh).not.toBe(since);
    expect((await post(`/app/p/${f.program.id}/webhooks/${endpointId}/rotate`, [["since", fresh]])).status).toBe(200);
  });
});
