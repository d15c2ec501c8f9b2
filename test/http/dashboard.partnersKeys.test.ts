import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, okJson, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Partner edit and key rotation (manager and portal), the keys page: rotation with grace, admin
// keys created and revoked, the last one refused; another vendor's partner or key is 404.

describe("dashboard: partners and keys", () => {
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

  it("edits a partner's name, email and coupon; a duplicate email is refused with a message and the typed values kept", async () => {
    const page = await s.get(`${base}/partners/${f.partner.id}/edit`);
    expect(page.html).toContain(`value="anna@example.com"`);
    const saved = await s.post(`${base}/partners/${f.partner.id}/edit`, { name: "Anna B.", email: "anna.b@example.com", coupon: "", status: "approved" });
    expect(saved.status).toBe(303);
    const partners = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners`, { key: f.vendorKey }))).data;
    expect(partners[0]).toMatchObject({ name: "Anna B.", email: "anna.b@example.com", coupon: null });
    await addPartner(t, f.vendorKey, f.program.id, { name: "Bo", email: "bo@example.com" });
    const dup = await s.post(`${base}/partners/${f.partner.id}/edit`, { name: "Anna typed", email: "BO@example.com", coupon: "ANNA5", status: "approved" });
    expect(dup.status).toBe(409);
    expect(textOf(dup.html)).toContain("another partner of this program has this email");
    expect(dup.html).toContain(`value="Anna typed"`);
    expect(dup.html).toContain(`value="BO@example.com"`);
    const bad = await s.post(`${base}/partners/${f.partner.id}/edit`, { name: "A", email: "not-mail", coupon: "", status: "approved" });
    expect(bad.status).toBe(400);
    expect(textOf(bad.html)).toContain(`"not-mail" is not an email address`);
  });

  it("adding a partner with a taken email says so (not 'coupon'), keeping what was typed", async () => {
    const res = await s.post(`${base}/partners`, { name: "Other Anna", email: "ANNA@example.com", coupon: "" });
    expect(res.status).toBe(409);
    expect(textOf(res.html)).toContain("another partner of this program has this email");
    expect(res.html).toContain(`value="Other Anna"`);
  });

  it("rotates a partner's key from the manager's page and from the portal: the new key is shown once and the old one stops", async () => {
    const res = await s.post(`${base}/partners/${f.partner.id}/rotate-key`);
    expect(res.status).toBe(200);
    expect(textOf(res.html)).toContain("Shown once.");
    const fresh = /id="new-partner-key" value="([^"]+)"/.exec(res.html)![1]!;
    expect((await t.request("/api/v1/me/links", { key: f.partner.apiKey })).status).toBe(401);
    expect((await t.request("/api/v1/me/links", { key: fresh })).status).toBe(200);
    expect((await s.get(`${base}/partners/${f.partner.id}/edit`)).html).not.toContain(fresh);

    const portal = await dashboardSession(t, "portal", fresh);
    expect((await portal.get("/portal/key")).status).toBe(200);
    const own = await portal.post("/portal/key/rotate");
    expect(own.status).toBe(200);
    const mine = /id="new-partner-key" value="([^"]+)"/.exec(own.html)![1]!;
    expect(mine).not.toBe(fresh);
    expect((await t.request("/api/v1/me/links", { key: fresh })).status).toBe(401);
    expect((await t.request("/api/v1/me/links", { key: mine })).status).toBe(200);
    expect((await portal.get("/portal")).status).toBe(200); // still signed in
  });

  it("rotates the postback key (old one stops at once by default) and the public key with a grace period", async () => {
    const page = await s.get(`${base}/keys`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(f.postbackKey.slice(0, 12));
    const res = await s.post(`${base}/keys/postback/rotate`, { graceHours: "0" });
    expect(res.status).toBe(200);
    const fresh = /id="new-postback-key" value="([^"]+)"/.exec(res.html)![1]!;
    expect(textOf(res.html)).toContain("The old postback key stopped working now.");
    const sale = (key: string, orderId: string) => t.request("/v1/conversions", { method: "POST", key, json: { orderId, event: "sale", amount: "10.00", currency: "USD" } });
    expect((await sale(f.postbackKey, "o1")).status).toBe(401);
    expect((await sale(fresh, "o2")).status).toBeLessThan(300);
    const pub = await s.post(`${base}/keys/public/rotate`, { graceHours: "24" });
    expect(textOf(pub.html)).toContain("The old public key keeps working until");
    const newPublic = /id="new-public-key" value="([^"]+)"/.exec(pub.html)![1]!;
    expect((await s.get(`${base}/settings`)).html).toContain(newPublic); // the snippet shows the new key
    const refused = await s.post(`${base}/keys/public/rotate`, { graceHours: "500" });
    expect(refused.status).toBe(400);
    expect(textOf(refused.html)).toContain("the grace period is 0–168 hours");
    expect(refused.html).toMatch(/id="grace-public"[^>]*value="500"/);
  });

  it("creates and revokes admin keys; the last one is refused with the 409's message", async () => {
    const created = await s.post(`${base}/keys/vendor`, { name: "billing" });
    const second = /id="new-admin-key" value="([^"]+)"/.exec(created.html)![1]!;
    expect((await t.request("/api/v1/programs", { key: second })).status).toBe(200);
    const keys = (await okJson(await t.request("/api/v1/keys", { key: f.vendorKey }))).data as { id: string; name: string | null }[];
    expect(keys).toHaveLength(2);
    const billing = keys.find((k) => k.name === "billing")!;
    const first = keys.find((k) => k.name !== "billing")!;
    expect((await s.post(`${base}/keys/vendor/${billing.id}/revoke`)).status).toBe(303);
    expect((await t.request("/api/v1/programs", { key: second })).status).toBe(401);
    const last = await s.post(`${base}/keys/vendor/${first.id}/revoke`);
    expect(last.status).toBe(409);
    expect(textOf(last.html)).toContain("this is the vendor's last admin key");
    const empty = await s.post(`${base}/keys/vendor`, { name: " " });
    expect(empty.status).toBe(400);
  });

  it("a reload of the page that showed a new admin key creates no second key", async () => {
    const form = await s.get(`${base}/keys`);
    const seen = /name="seen" value="([^"]*)"/.exec(form.html)![1]!;
    expect(seen).not.toBe("");
    const created = await s.post(`${base}/keys/vendor`, { name: "billing", seen });
    expect(created.status).toBe(200);
    expect(created.html).toContain('id="new-admin-key"');
    const again = await s.post(`${base}/keys/vendor`, { name: "billing", seen });
    expect(again.status).toBe(409);
    expect(textOf(again.html)).toContain("Nothing was created: the admin keys changed since this form was shown");
    expect(again.html).not.toContain('id="new-admin-key"');
    expect((await okJson(await t.request("/api/v1/keys", { key: f.vendorKey }))).data).toHaveLength(2);
    // the page after a creation carries the new set of keys: its form creates the next one
    const next = /name="seen" value="([^"]*)"/.exec(created.html)![1]!;
    expect((await s.post(`${base}/keys/vendor`, { name: "ci", seen: next })).status).toBe(200);
    expect((await okJson(await t.request("/api/v1/keys", { key: f.vendorKey }))).data).toHaveLength(3);
  });

  it("another vendor's partner, program keys and admin key are 404", async () => {
    const other = await createFixture(t, { link: { slug: "other-one" } });
    expect((await s.get(`${base}/partners/${other.partner.id}/edit`)).status).toBe(404);
    expect((await s.post(`${base}/partners/${other.partner.id}/edit`, { name: "x", email: "x@example.com", coupon: "", status: "approved" })).status).toBe(404);
    expect((await s.post(`${base}/partners/${other.partner.id}/rotate-key`)).status).toBe(404);
    expect((await s.get(`/app/p/${other.program.id}/keys`)).status).toBe(404);
    expect((await s.post(`/app/p/${other.program.id}/keys/postback/rotate`, { graceHours: "0" })).status).toBe(404);
    const otherKey = (await okJson(await t.request("/api/v1/keys", { key: other.vendorKey }))).data[0];
    await s.post(`${base}/keys/vendor`, { name: "spare" }); // so that "last key" is not why it fails
    expect((await s.post(`${base}/keys/vendor/${otherKey.id}/revoke`)).status).toBe(404);
    expect((await t.request("/api/v1/programs", { key: other.vendorKey })).status).toBe(200);
    expect((await t.request("/api/v1/me/links", { key: other.partner.apiKey })).status).toBe(200);
  });
});
