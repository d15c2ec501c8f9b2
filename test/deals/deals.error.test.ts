import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, expectError, okJson, type TestApp } from "../helpers/app";
import { act, coselling, deal, register, registered, type Coselling } from "./helpers";

describe("deal and lead errors", () => {
  let t: TestApp;
  let f: Coselling;
  beforeEach(async () => { t = await createTestApp(); f = await coselling(t); });
  afterEach(async () => { await t.close(); });

  it("bad registrations are 400 naming the field", async () => {
    expect((await expectError(await register(t, f.anna.key, deal({ contactEmail: undefined })), 400, "validation_failed")).details?.[0]?.path).toBe("contactEmail");
    expect((await expectError(await register(t, f.anna.key, deal({ domain: "not a domain" })), 400, "validation_failed")).details?.[0]?.path).toBe("domain");
    expect((await expectError(await register(t, f.anna.key, deal({ value: "1.234" })), 400, "validation_failed")).details?.[0]?.path).toBe("value");
    expect((await expectError(await register(t, f.anna.key, deal({ value: "-5" })), 400, "validation_failed")).details?.[0]?.path).toBe("value");
    expect((await expectError(await register(t, f.anna.key, deal({ expectedCloseAt: "soon" })), 400, "validation_failed")).details?.[0]?.path).toBe("expectedCloseAt");
    await expectError(await register(t, f.anna.key, deal({ company: "" })), 400, "validation_failed");
  });

  it("keys of the wrong kind are 403, none 401", async () => {
    await expectError(await register(t, f.vendorKey), 403, "forbidden");
    await expectError(await t.request("/api/v1/me/deals", { method: "POST", json: deal() }), 401, "unauthorized");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/deals`, { key: f.anna.key }), 403, "forbidden");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.anna.key, json: { company: "x", contactEmail: "a@b.com" } }), 403, "forbidden");
  });

  it("any other transition is 409", async () => {
    const d = await registered(t, f.anna.key);
    await expectError(await act(t, f.vendorKey, d.id, "won", { amount: "1" }), 409, "conflict");
    await expectError(await act(t, f.vendorKey, d.id, "lost"), 409, "conflict");
    await okJson(await act(t, f.vendorKey, d.id, "approve"));
    await expectError(await act(t, f.vendorKey, d.id, "approve"), 409, "conflict");
    await okJson(await act(t, f.vendorKey, d.id, "won", { amount: "10" }));
    await expectError(await act(t, f.vendorKey, d.id, "won", { amount: "11" }), 409, "conflict");
    await expectError(await act(t, f.vendorKey, d.id, "reject"), 409, "conflict");
    await expectError(await act(t, f.vendorKey, d.id, "won", { amount: "abc" }), 400, "validation_failed");
  });

  it("bad pipeline dates, lead input, profile and assignment are 400; leads in the wrong state 409", async () => {
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/pipeline?from=2026-13-01`, { key: f.vendorKey }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/pipeline?from=2026-03-01&to=2026-02-01`, { key: f.vendorKey }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "x", contactEmail: "a@b.com", country: "Germany" } }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/partners/${f.anna.id}`, { method: "PATCH", key: f.vendorKey, json: { profile: { leadCapacity: -1 } } }), 400, "validation_failed");
    await expectError(await t.request("/api/v1/me", { method: "PATCH", key: f.anna.key, json: { profile: { countries: ["XYZ"] } } }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { leadSlaHours: 0 } }), 400, "validation_failed");
    const lead = await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "x", contactEmail: "a@b.com" } }), 201);
    await expectError(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: "ptn_nope" } }), 400, "validation_failed");
    await okJson(await t.request(`/api/v1/partners/${f.bob.id}`, { method: "PATCH", key: f.vendorKey, json: { status: "deactivated" } }));
    await expectError(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: f.bob.id } }), 400, "validation_failed");
    await okJson(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: f.anna.id } }));
    await expectError(await t.request(`/api/v1/me/leads/${lead.id}/deal`, { method: "POST", key: f.anna.key, json: {} }), 409, "conflict");
    await okJson(await t.request(`/api/v1/me/leads/${lead.id}/accept`, { method: "POST", key: f.anna.key }));
    await expectError(await t.request(`/api/v1/me/leads/${lead.id}/accept`, { method: "POST", key: f.anna.key }), 409, "conflict");
    await expectError(await t.request(`/api/v1/me/leads/${lead.id}/decline`, { method: "POST", key: f.anna.key }), 409, "conflict");
  });
});

describe("co-selling in the OpenAPI document", () => {
  it("lists every route of CONTRACT-PRM section 2", async () => {
    const t = await createTestApp();
    try {
      const doc = await okJson(await t.request("/api/openapi.json"));
      const want: [string, string][] = [
        ["/api/v1/me/deals", "post"], ["/api/v1/me/deals", "get"], ["/api/v1/programs/{id}/deals", "get"], ["/api/v1/deals/{id}/approve", "post"],
        ["/api/v1/deals/{id}/reject", "post"], ["/api/v1/deals/{id}/won", "post"], ["/api/v1/deals/{id}/lost", "post"], ["/api/v1/programs/{id}/pipeline", "get"],
        ["/api/v1/partners/{id}", "patch"], ["/api/v1/me", "patch"], ["/api/v1/programs/{id}/leads", "post"], ["/api/v1/programs/{id}/leads", "get"],
        ["/api/v1/me/leads", "get"], ["/api/v1/me/leads/{id}/accept", "post"], ["/api/v1/me/leads/{id}/decline", "post"], ["/api/v1/me/leads/{id}/deal", "post"],
        ["/api/v1/leads/{id}/assign", "post"],
      ];
      for (const [path, method] of want) expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
