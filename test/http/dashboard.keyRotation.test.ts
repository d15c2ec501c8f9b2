import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Keys → "Rotate": the new key is the answer to the POST (a page, shown once), so reloading it
// sends the form again. The form names the key it replaces; a second send finds that key already
// replaced and changes nothing, so the key just shown keeps working.

describe("dashboard: rotating a program key twice by reloading", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let s: Awaited<ReturnType<typeof dashboardSession>>;
  let base = "";
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    s = await dashboardSession(t, "app", f.vendorKey);
    base = `/app/p/${f.program.id}`;
  });
  afterEach(async () => { await t.close(); });

  const replacesOf = (html: string, kind: string) => new RegExp(`action="[^"]*/keys/${kind}/rotate"[^]*?name="replaces" value="(key_[A-Za-z0-9]+)"`).exec(html)?.[1];
  const sale = (key: string, orderId: string) => t.request("/v1/conversions", { method: "POST", key, json: { orderId, event: "sale", amount: "10.00", currency: "USD" } });

  it("happy: the form names the current key; sent once it rotates, and the next form names the new key", async () => {
    const replaces = replacesOf((await s.get(`${base}/keys`)).html, "postback");
    expect(replaces).toMatch(/^key_/);
    const res = await s.post(`${base}/keys/postback/rotate`, { graceHours: "0", replaces: replaces! });
    expect(res.status).toBe(200);
    const fresh = /id="new-postback-key" value="([^"]+)"/.exec(res.html)![1]!;
    expect((await sale(fresh, "o1")).status).toBeLessThan(300);
    const next = replacesOf((await s.get(`${base}/keys`)).html, "postback");
    expect(next).toMatch(/^key_/);
    expect(next).not.toBe(replaces);
  });

  it("error: the same form sent again is refused with 409 and the key it showed keeps working", async () => {
    const replaces = replacesOf((await s.get(`${base}/keys`)).html, "postback")!;
    const first = await s.post(`${base}/keys/postback/rotate`, { graceHours: "0", replaces });
    const fresh = /id="new-postback-key" value="([^"]+)"/.exec(first.html)![1]!;
    const again = await s.post(`${base}/keys/postback/rotate`, { graceHours: "0", replaces });
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain("Nothing was changed: this postback key was already replaced");
    expect(again.html).not.toContain('id="new-postback-key"');
    expect((await sale(fresh, "o2")).status).toBeLessThan(300);
    // the public key's form is its own: a postback rotation does not make it stale
    const pub = await s.post(`${base}/keys/public/rotate`, { graceHours: "0", replaces: replacesOf((await s.get(`${base}/keys`)).html, "public")! });
    expect(pub.status).toBe(200);
  });

  it("security: a key id of another program does not rotate this one, and another vendor's program is 404", async () => {
    const other = await createFixture(t);
    const os = await dashboardSession(t, "app", other.vendorKey);
    const foreign = replacesOf((await os.get(`/app/p/${other.program.id}/keys`)).html, "postback")!;
    expect((await s.post(`${base}/keys/postback/rotate`, { graceHours: "0", replaces: foreign })).status).toBe(409);
    expect((await sale(f.postbackKey, "o3")).status).toBeLessThan(300);
    expect((await s.post(`/app/p/${other.program.id}/keys/postback/rotate`, { graceHours: "0", replaces: foreign })).status).toBe(404);
    expect((await sale(other.postbackKey, "o4")).status).toBeLessThan(300);
  });

  const replacesIn = (html: string, action: string) => new RegExp(`action="${action}"[^]*?name="replaces" value="(key_[A-Za-z0-9]+)"`).exec(html)?.[1];
  const me = (key: string) => t.request("/api/v1/me", { key });

  it("a partner's key, rotated by the manager: the same form sent twice is refused with 409, the key shown first keeps working", async () => {
    const edit = `${base}/partners/${f.partner.id}/edit`;
    const action = `${base}/partners/${f.partner.id}/rotate-key`;
    const replaces = replacesIn((await s.get(edit)).html, action)!;
    expect(replaces).toMatch(/^key_/);
    const first = await s.post(action, { replaces });
    expect(first.status).toBe(200);
    const fresh = /id="new-partner-key" value="([^"]+)"/.exec(first.html)![1]!;
    const again = await s.post(action, { replaces });
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain("Nothing was changed: Anna's key was already replaced");
    expect((await me(fresh)).status).toBe(200);
    expect((await me(f.partner.apiKey)).status).toBe(401);
    // the page after the rotation names the new key: rotating again from it works
    const next = replacesIn((await s.get(edit)).html, action)!;
    expect(next).not.toBe(replaces);
    expect((await s.post(action, { replaces: next })).status).toBe(200);
  });

  it("the partner's own key, replaced in the portal: a second send of the form changes nothing", async () => {
    const portal = await dashboardSession(t, "portal", f.partner.apiKey);
    const replaces = replacesIn((await portal.get("/portal/key")).html, "/portal/key/rotate")!;
    const first = await portal.post("/portal/key/rotate", { replaces });
    expect(first.status).toBe(200);
    const fresh = /id="new-partner-key" value="([^"]+)"/.exec(first.html)![1]!;
    const again = await portal.post("/portal/key/rotate", { replaces });
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain("Nothing was changed: your key was already replaced");
    expect((await me(fresh)).status).toBe(200);
  });
});
