import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, expectError, okJson, type TestApp } from "../helpers/app";
import { act, coselling, deal, registered, type Coselling } from "./helpers";

describe("co-selling scope", () => {
  let t: TestApp;
  let f: Coselling;
  let other: Coselling;
  beforeEach(async () => { t = await createTestApp(); f = await coselling(t); other = await coselling(t); });
  afterEach(async () => { await t.close(); });

  it("a partner never learns who holds a conflicting deal, from any answer", async () => {
    const held = await registered(t, f.anna.key);
    const res = await t.request("/api/v1/me/deals", { method: "POST", key: f.bob.key, json: deal() });
    const text = await res.text();
    expect(res.status).toBe(201);
    for (const secret of [held.id, f.anna.id, "Anna", "anna@example.com"]) expect(text).not.toContain(secret);
    const list = JSON.stringify(await okJson(await t.request("/api/v1/me/deals", { key: f.bob.key })));
    for (const secret of [held.id, f.anna.id, "Anna"]) expect(list).not.toContain(secret);
    // the other partner's existing-customer conflict names no deal either
    await okJson(await act(t, f.vendorKey, held.id, "approve"));
    await okJson(await act(t, f.vendorKey, held.id, "won", { amount: "5" }));
    const again = await t.request("/api/v1/me/deals", { method: "POST", key: f.cara.key, json: deal() });
    const againText = await again.text();
    expect(JSON.parse(againText).conflict).toEqual({ kind: "existing_customer", dealId: null });
    for (const secret of [held.id, f.anna.id]) expect(againText).not.toContain(secret);
  });

  it("a partner sees only its own deals and leads", async () => {
    await registered(t, f.anna.key);
    expect((await okJson(await t.request("/api/v1/me/deals", { key: f.bob.key }))).data).toEqual([]);
    await okJson(await t.request(`/api/v1/partners/${f.anna.id}`, { method: "PATCH", key: f.vendorKey, json: { profile: { leadCapacity: 1 } } }));
    const lead = await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "x", contactEmail: "a@b.com" } }), 201);
    expect(lead.partnerId).toBe(f.anna.id);
    expect((await okJson(await t.request("/api/v1/me/leads", { key: f.bob.key }))).data).toEqual([]);
    for (const action of ["accept", "decline", "deal"]) await expectError(await t.request(`/api/v1/me/leads/${lead.id}/${action}`, { method: "POST", key: f.bob.key, json: {} }), 404, "not_found");
    await expectError(await t.request(`/api/v1/me/leads/${lead.id}/accept`, { method: "POST", key: other.anna.key }), 404, "not_found");
  });

  it("another vendor's deals, leads and programs are 404", async () => {
    const d = await registered(t, f.anna.key);
    for (const action of ["approve", "reject", "lost"]) await expectError(await act(t, other.vendorKey, d.id, action), 404, "not_found");
    await expectError(await act(t, other.vendorKey, d.id, "won", { amount: "1" }), 404, "not_found");
    for (const path of ["deals", "leads", "pipeline"]) await expectError(await t.request(`/api/v1/programs/${f.program.id}/${path}`, { key: other.vendorKey }), 404, "not_found");
    const lead = await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "x", contactEmail: "a@b.com" } }), 201);
    await expectError(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: other.vendorKey, json: { partnerId: other.anna.id } }), 404, "not_found");
    // a partner of another program cannot be assigned
    await expectError(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: other.anna.id } }), 400, "validation_failed");
  });

  it("accounts are per program: the same account in another program is free", async () => {
    await registered(t, f.anna.key);
    expect((await registered(t, other.anna.key)).status).toBe("submitted");
  });
});
