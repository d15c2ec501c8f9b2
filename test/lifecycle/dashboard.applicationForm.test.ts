import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, PUBLIC_URL, type TestApp } from "../helpers/app";
import { dashboardSession, textOf } from "../helpers/dashboard";

// The application form's page sets the program's handle (the /apply/<handle> address), as
// PATCH /api/v1/programs/{id} does, and its saves are in the audit log like the API's.

describe("dashboard: the application form's address and its audit", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let s: Awaited<ReturnType<typeof dashboardSession>>;
  let base = "";
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t, { program: { handle: "acme-shop" } });
    s = await dashboardSession(t, "app", f.vendorKey);
    base = `/app/p/${f.program.id}`;
  });
  afterEach(async () => { await t.close(); });

  const program = async () => okJson(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }));

  it("happy: a new handle moves the form; the change and the settings are audited with before → after", async () => {
    expect((await s.get(`${base}/application-form`)).html).toMatch(/id="handle" name="handle"[^>]*value="acme-shop"/);
    const res = await s.post(`${base}/application-form`, { enabled: "1", questions: "", rules: "", handle: "acme-partners" });
    expect(res.status).toBe(303);
    expect(await program()).toMatchObject({ handle: "acme-partners", applications: { enabled: true } });
    expect(textOf((await s.get(`${base}/application-form`)).html)).toContain(`it is now at ${PUBLIC_URL}/apply/acme-partners`);
    expect((await t.request("/apply/acme-partners")).status).toBe(200);
    expect((await t.request("/apply/acme-shop")).status).toBe(404);
    const audit = textOf((await s.get(`${base}/audit`)).html);
    expect(audit).toContain("program.update");
    expect(audit).toContain("handle: acme-shop → acme-partners");
  });

  it("error: a malformed or taken handle saves nothing and says why", async () => {
    await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Second", allowedDomains: ["shop.example.com"], handle: "taken-one" } }), 201);
    await s.post(`${base}/application-form`, { enabled: "", questions: "", rules: "", handle: "No Spaces!" });
    expect(textOf((await s.get(`${base}/application-form`)).html)).toContain('the address "no spaces!" must be 3–40 characters');
    await s.post(`${base}/application-form`, { enabled: "", questions: "", rules: "", handle: "taken-one" });
    expect(textOf((await s.get(`${base}/application-form`)).html)).toContain('the address "taken-one" is taken by another program');
    expect(await program()).toMatchObject({ handle: "acme-shop", applications: { enabled: true } }); // the unticked box was not saved either
  });

  it("security: another vendor's program is 404 and keeps its handle", async () => {
    const other = await createFixture(t, { program: { handle: "other-shop" } });
    expect((await s.post(`/app/p/${other.program.id}/application-form`, { enabled: "1", questions: "", rules: "", handle: "stolen" })).status).toBe(404);
    expect((await okJson(await t.request(`/api/v1/programs/${other.program.id}`, { key: other.vendorKey }))).handle).toBe("other-shop");
  });
});

describe("dashboard: lead routing settings are audited", () => {
  it("happy/error/security: a saved change is in the audit log with before → after; a refused one and another vendor's program leave none", async () => {
    const t = await createTestApp();
    try {
      const f = await createFixture(t);
      const s = await dashboardSession(t, "app", f.vendorKey);
      const base = `/app/p/${f.program.id}`;
      expect((await s.post(`${base}/leads/settings`, { leadSlaHours: "24", dealProtectionDays: "60" })).status).toBe(303);
      const audit = textOf((await s.get(`${base}/audit`)).html);
      expect(audit).toContain("leadSlaHours: 48 → 24");
      expect(audit).toContain("dealProtectionDays: 90 → 60");
      await s.post(`${base}/leads/settings`, { leadSlaHours: "0", dealProtectionDays: "60" });
      expect(textOf((await s.get(`${base}/audit`)).html).match(/program\.update/g)).toHaveLength(1);
      const other = await createFixture(t);
      expect((await s.post(`/app/p/${other.program.id}/leads/settings`, { leadSlaHours: "24", dealProtectionDays: "60" })).status).toBe(404);
      expect((await okJson(await t.request(`/api/v1/programs/${other.program.id}`, { key: other.vendorKey }))).leadSlaHours).toBe(48);
    } finally {
      await t.close();
    }
  });
});
