import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createFixture, createTestApp, okJson, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// Admin keys belong to the account, not to a program, so their audit entries have no program:
// the audit page's "All programs and the account" shows them (and other programs' changes);
// the default stays this program's changes.

describe("the audit page's account scope", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("happy: an admin key created on the keys page shows under All, not under This program", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    const base = `/app/p/${f.program.id}`;
    expect((await s.post(`${base}/keys/vendor`, { name: "billing server" })).status).toBe(200);
    const program = textOf((await s.get(`${base}/audit`)).html);
    expect(program).toContain("rule.create");
    expect(program).not.toContain("key.create");
    const all = await s.get(`${base}/audit?scope=all`);
    expect(all.html).toMatch(/<option value="all" selected/);
    expect(textOf(all.html)).toContain("name: — → billing server");
    const csv = (await s.get(`${base}/audit?scope=all&format=csv&table=audit`)).html;
    expect(csv).toContain("key.create");
  });

  it("error: an unknown scope is this program's log", async () => {
    const s = await dashboardSession(t, "app", f.vendorKey);
    await s.post(`/app/p/${f.program.id}/keys/vendor`, { name: "billing server" });
    expect(textOf((await s.get(`/app/p/${f.program.id}/audit?scope=everything`)).html)).not.toContain("key.create");
  });

  it("security: All is the signed-in vendor's account only, never another vendor's entries", async () => {
    const other = await okJson(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Other" } }), 201);
    await okJson(await t.request("/api/v1/keys", { method: "POST", key: other.apiKey, json: { name: "other vendor's key" } }), 201);
    const s = await dashboardSession(t, "app", f.vendorKey);
    const all = textOf((await s.get(`/app/p/${f.program.id}/audit?scope=all`)).html);
    expect(all).toContain("rule.create");
    expect(all).not.toContain("other vendor's key");
  });
});
