import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, okJson, type TestApp } from "../helpers/app";
import { dashboardSession } from "../helpers/dashboard";

// Every table offers its CSV (the quality e2e checks each page): the portal's "My deals" and
// "My leads", and the manager's "Partner lead profiles" on the leads page.

describe("CSV of the co-selling tables", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const deal = (key: string, company: string, email: string) =>
    t.request("/api/v1/me/deals", { method: "POST", key, json: { company, contactName: "Contact", contactEmail: email, domain: `${company.toLowerCase()}.example` } });

  it("happy: the portal's deals page links its CSV, which holds the partner's deals", async () => {
    await okJson(await deal(f.partner.apiKey, "Northwind", "n@northwind.example"), 201);
    const portal = await dashboardSession(t, "portal", f.partner.apiKey);
    const page = await portal.get("/portal/deals");
    expect(page.html).toContain('href="/portal/deals?format=csv&amp;table=deals"');
    const csv = await portal.get("/portal/deals?format=csv&table=deals");
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = csv.html.trim().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("Northwind");
    const leads = await portal.get("/portal/leads?format=csv&table=leads");
    expect(leads.headers.get("content-type")).toContain("text/csv");
    expect(leads.html.trim().split("\r\n")).toHaveLength(1); // the header: no lead offered yet
  });

  it("happy: the manager's partner lead profiles export one row per partner", async () => {
    await addPartner(t, f.vendorKey, f.program.id, { name: "Bo", email: "bo@example.com" });
    const s = await dashboardSession(t, "app", f.vendorKey);
    const page = await s.get(`/app/p/${f.program.id}/leads`);
    expect(page.html).toContain("table=profiles");
    const csv = await s.get(`/app/p/${f.program.id}/leads?format=csv&table=profiles`);
    const lines = csv.html.trim().split("\r\n");
    expect(lines[0]).toBe("Partner,Status,Open leads,Profile");
    expect(lines.slice(1).map((l) => l.split(",")[0]).sort()).toEqual(["Anna", "Bo"]);
  });

  it("security: a partner's CSV holds only its own deals", async () => {
    const bo = await addPartner(t, f.vendorKey, f.program.id, { name: "Bo", email: "bo@example.com" });
    await okJson(await deal(f.partner.apiKey, "Northwind", "n@northwind.example"), 201);
    await okJson(await deal(bo.partner.apiKey, "Globex", "g@globex.example"), 201);
    const portal = await dashboardSession(t, "portal", bo.partner.apiKey);
    const csv = (await portal.get("/portal/deals?format=csv&table=deals")).html;
    expect(csv).toContain("Globex");
    expect(csv).not.toContain("Northwind");
  });

  it("happy: the manager's leads CSV is every lead of the filter, not the 100 on screen", async () => {
    for (let i = 0; i < 101; i++) await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: `Lead ${i}`, contactEmail: `l${i}@example.com` } }), 201);
    const s = await dashboardSession(t, "app", f.vendorKey);
    const page = await s.get(`/app/p/${f.program.id}/leads`);
    expect(page.html.match(/<tr/g)!.length).toBeLessThan(110);
    const csv = (await s.get(`/app/p/${f.program.id}/leads?format=csv&table=leads`)).html.trim().split("\r\n");
    expect(csv).toHaveLength(102);
    const none = (await s.get(`/app/p/${f.program.id}/leads?format=csv&table=leads&status=converted`)).html.trim().split("\r\n");
    expect(none).toHaveLength(1);
  });
});
