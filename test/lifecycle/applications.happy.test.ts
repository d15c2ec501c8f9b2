import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, createFixture, createTestApp, okJson, PUBLIC_URL, sqlRows, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t, { program: { name: "Acme Shop" } });
});
afterEach(() => t.close());

const apply = (json: Record<string, unknown>, key = f.publicKey) => t.request("/v1/applications", { method: "POST", key, json });

describe("programs gain a handle and application settings", () => {
  it("derives the handle from the name, unique across the server, and PATCH may change it", async () => {
    expect(f.program.handle).toBe("acme-shop");
    expect(f.program.applications).toEqual({ enabled: true, autoApprove: [], questions: [] });
    const second = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "ACME shop!", allowedDomains: ["shop.example.com"] } }), 201);
    expect(second.handle).toBe("acme-shop-2");
    const patched = await okJson(await t.request(`/api/v1/programs/${second.id}`, { method: "PATCH", key: f.vendorKey, json: { handle: "acme-eu", applications: { questions: [{ id: "site", label: "Where will you promote us?", required: true }] } } }));
    expect(patched.handle).toBe("acme-eu");
    expect(patched.applications.questions).toEqual([{ id: "site", label: "Where will you promote us?", required: true }]);
    expect(patched.applications.enabled).toBe(true);
  });
});

describe("POST /v1/applications", () => {
  it("stores a pending application that the manager lists, approves into the entry tier with a one-time sign-in link", async () => {
    const res = await okJson(await apply({ name: "Ben", email: "Ben@Blog.example", website: "https://blog.example", country: "de", source: "newsletter", referredBy: f.partner.id }), 201);
    expect(res).toMatchObject({ status: "pending", programId: f.program.id });
    const list = await okJson(await t.request(`/api/v1/programs/${f.program.id}/applications?status=pending`, { key: f.vendorKey }));
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ id: res.id, email: "Ben@Blog.example", country: "DE", stage: "interest", source: "newsletter", referredBy: f.partner.id });
    expect(list.nextCursor).toBeNull();

    const approved = await okJson(await t.request(`/api/v1/applications/${res.id}/approve`, { method: "POST", key: f.vendorKey }));
    expect(approved.application.status).toBe("approved");
    expect(approved.partner).toMatchObject({ email: "Ben@Blog.example", tierId: f.program.entryTierId, source: "newsletter", referredBy: f.partner.id, status: "approved", stage: "recruitment" });
    expect(approved.signInUrl).toMatch(new RegExp(`^${PUBLIC_URL}/portal/signin\\?token=[A-Za-z0-9_-]{43}$`));
    const [link] = await sqlRows(t, "SELECT partner_id, expires_at - created_at AS ttl FROM sign_in_links WHERE partner_id = ?", [approved.partner.id]);
    expect(Number(link!.ttl)).toBe(72 * 3_600_000);

    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/applications?status=pending`, { key: f.vendorKey }))).data).toEqual([]);
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/applications?status=approved`, { key: f.vendorKey }))).data).toHaveLength(1);
  });

  it("rejects with a reason", async () => {
    const res = await okJson(await apply({ name: "Cy", email: "cy@example.net" }), 201);
    const rejected = await okJson(await t.request(`/api/v1/applications/${res.id}/reject`, { method: "POST", key: f.vendorKey, json: { reason: "no website" } }));
    expect(rejected).toMatchObject({ status: "rejected", reason: "no website", stage: null });
    const bare = await okJson(await apply({ name: "Di", email: "di@example.net" }), 201);
    expect((await okJson(await t.request(`/api/v1/applications/${bare.id}/reject`, { method: "POST", key: f.vendorKey }))).reason).toBeNull();
  });

  it("auto-approves when every rule holds: the partner exists at once", async () => {
    await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { applications: { autoApprove: [{ field: "country", op: "is", values: ["DE", "FR"] }, { field: "emailDomain", op: "is_not", values: ["spam.example"] }] } } }));
    const yes = await okJson(await apply({ name: "Eve", email: "eve@good.example", country: "FR" }), 201);
    expect(yes.status).toBe("approved");
    const [p] = await sqlRows(t, "SELECT p.id, p.tier_id FROM partners p JOIN applications a ON a.partner_id = p.id WHERE a.id = ?", [yes.id]);
    expect(p!.tier_id).toBe(f.program.entryTierId);
    expect((await okJson(await apply({ name: "Fay", email: "fay@spam.example", country: "DE" }), 201)).status).toBe("pending");
    expect((await okJson(await apply({ name: "Gil", email: "gil@good.example", country: "US" }), 201)).status).toBe("pending");
    expect((await okJson(await apply({ name: "Hal", email: "hal@good.example" }), 201)).status).toBe("pending");
  });

  it("the operator key still creates vendors (sanity of the fixture)", async () => {
    expect((await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "B" } })).status).toBe(201);
  });
});
