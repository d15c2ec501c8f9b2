import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";
import { coselling, registered, deal, type Coselling } from "./helpers";
import { dashboardSession, textOf } from "../helpers/dashboard";

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

describe("co-selling pages (dashboard and portal)", () => {
  let t: TestApp;
  let f: Coselling;
  beforeEach(async () => { t = await createTestApp(); f = await coselling(t); });
  afterEach(async () => { await t.close(); });

  async function session(area: "app" | "portal", key: string) {
    const form = await t.request(`/${area}/login`);
    const res = await t.request(`/${area}/login`, {
      method: "POST", redirect: "manual", headers: { origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ _csrf: csrfOf(await form.text()), key }).toString(),
    });
    const cookie = /afx_s=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1] ?? "";
    const get = async (path: string) => {
      const r = await t.request(path, { headers: { cookie: `afx_s=${cookie}` } });
      expect(r.status, path).toBe(200);
      return r.text();
    };
    const post = async (path: string, fields: Record<string, string>, from: string) => {
      const csrf = csrfOf(await get(from));
      return t.request(path, { method: "POST", redirect: "manual", headers: { cookie: `afx_s=${cookie}`, origin: PUBLIC_URL, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, ...fields }).toString() });
    };
    return { get, post };
  }

  it("the portal checks an account at once without naming its holder, registers deals and lists leads with time left", async () => {
    await registered(t, f.anna.key);
    const bob = await session("portal", f.bob.key);
    const check = await bob.get("/portal/deals?check=1&domain=www.globex.com&contactEmail=x%40globex.com&company=G&contactName=H");
    expect(check).toContain("globex.com is already protected by another registration");
    expect(check).not.toContain("Anna");
    expect(await bob.get("/portal/deals?check=1&domain=initech.com&contactEmail=x%40initech.com")).toContain("initech.com is free");
    const res = await bob.post("/portal/deals", { company: "Initech", domain: "initech.com", contactName: "Bill", contactEmail: "bill@initech.com", value: "100" }, "/portal/deals");
    expect(res.status).toBe(303);
    expect(await bob.get("/portal/deals")).toContain("initech.com");
    await okJson(await t.request(`/api/v1/partners/${f.bob.id}`, { method: "PATCH", key: f.vendorKey, json: { profile: { leadCapacity: 1 } } }));
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "Hooli", contactEmail: "g@hooli.com" } }), 201);
    const leads = await bob.get("/portal/leads");
    expect(leads).toContain("Hooli");
    expect(leads).toMatch(/4\d h \d+ min left|2 days left/);
  });

  it("a partner sets its own lead profile in the portal, checked as the API checks it, and routing follows it", async () => {
    const bob = await dashboardSession(t, "portal", f.bob.key);
    expect((await bob.get("/portal/leads")).html).toContain("What leads you take");
    expect((await bob.post("/portal/leads/profile", { countries: "de, fr", verticals: "saas", leadCapacity: "2" })).status).toBe(303);
    expect(await sqlRows(t, "SELECT lead_countries, lead_verticals, lead_capacity FROM partners WHERE id = ?", [f.bob.id]))
      .toEqual([{ lead_countries: '["DE","FR"]', lead_verticals: '["saas"]', lead_capacity: 2 }]);
    const saved = (await bob.get("/portal/leads")).html;
    expect(saved).toContain("Your lead profile is saved.");
    expect(saved).toContain('value="DE FR"');
    expect((await okJson(await t.request(`/api/v1/partners/${f.bob.id}`, { key: f.vendorKey }))).profile).toEqual({ countries: ["DE", "FR"], verticals: ["saas"], leadCapacity: 2 });
    // refused as the API refuses it, and nothing changes
    const refusals = [
      [{ countries: "Germany", verticals: "", leadCapacity: "2" }, "Countries"], [{ countries: "", verticals: "", leadCapacity: "-1" }, "Capacity"],
      [{ countries: "", verticals: "x".repeat(61), leadCapacity: "1" }, "Verticals"], [{ countries: "", verticals: "", leadCapacity: "" }, "Capacity"],
    ] as const;
    for (const [bad, field] of refusals) {
      expect((await bob.post("/portal/leads/profile", bad)).status).toBe(303);
      expect(textOf((await bob.get("/portal/leads")).html), JSON.stringify(bad)).toContain(`Not saved: ${field}:`);
    }
    expect(await sqlRows(t, "SELECT lead_capacity FROM partners WHERE id = ?", [f.bob.id])).toEqual([{ lead_capacity: 2 }]);
    // a lead for a country bob takes goes to bob (the only partner with room for it)
    const lead = await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "Hooli", contactEmail: "g@hooli.com", country: "DE", vertical: "saas" } }), 201);
    expect(lead.partnerId).toBe(f.bob.id);
    // the change is in the audit log, made by the partner
    expect(await sqlRows(t, "SELECT actor_kind, actor_partner_id, changes FROM events WHERE object_id = ? AND action = 'partner.update'", [f.bob.id])).toEqual([{
      actor_kind: "partner", actor_partner_id: f.bob.id,
      changes: JSON.stringify({ leadCountries: [[], ["DE", "FR"]], leadVerticals: [[], ["saas"]], leadCapacity: [0, 2] }),
    }]);
  });

  it("the dashboard shows the deal queue with conflicts side by side, the pipeline, leads, settings and profiles, and acts", async () => {
    const first = await registered(t, f.anna.key);
    const second = await registered(t, f.bob.key, deal());
    const app = await session("app", f.vendorKey);
    const base = `/app/p/${f.program.id}`;
    const queue = await app.get(`${base}/deals`);
    expect(queue).toContain("Conflicts to resolve");
    expect(queue).toContain("Anna");
    expect(queue).toContain("Bob");
    expect(queue).toContain("Deal value by status");
    const approve = await app.post(`${base}/deals/${second.id}/approve`, {}, `${base}/deals`);
    expect(approve.status).toBe(303);
    expect(await sqlRows(t, "SELECT status FROM deals WHERE id IN (?, ?) ORDER BY id = ?", [first.id, second.id, second.id])).toEqual([{ status: "rejected" }, { status: "approved" }]);
    const leads = await app.get(`${base}/leads`);
    expect(leads).toContain("Routing settings");
    expect(leads).toContain("Partner profiles");
    expect((await app.post(`${base}/leads/profiles/${f.cara.id}`, { countries: "de fr", verticals: "saas", leadCapacity: "3" }, `${base}/leads`)).status).toBe(303);
    expect(await sqlRows(t, "SELECT lead_countries, lead_capacity FROM partners WHERE id = ?", [f.cara.id])).toEqual([{ lead_countries: '["DE","FR"]', lead_capacity: 3 }]);
    expect((await app.post(`${base}/leads/settings`, { leadSlaHours: "12", dealProtectionDays: "30" }, `${base}/leads`)).status).toBe(303);
    expect(await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }))).toMatchObject({ leadSlaHours: 12, dealProtectionDays: 30 });
    expect((await app.post(`${base}/leads`, { company: "Hooli", contactEmail: "g@hooli.com", country: "DE", vertical: "saas" }, `${base}/leads`)).status).toBe(303);
    expect(await app.get(`${base}/leads`)).toContain("Cara: pending");
  });
});
