import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, type TestApp } from "../helpers/app";
import { coselling, type Coselling } from "../deals/helpers";

// Routing offers a lead only to partners that accepted the program's current agreement (or to
// any partner while the program has none): a new version counts until they accept it too.
describe("lead routing and the agreement", () => {
  let t: TestApp;
  let f: Coselling;
  const profile = (id: string, p: Record<string, unknown>) => t.request(`/api/v1/partners/${id}`, { method: "PATCH", key: f.vendorKey, json: { profile: p } });
  const newLead = async (company: string) =>
    okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company, contactEmail: `kim@${company}.example` } }), 201);
  const publish = async (title: string) =>
    okJson(await t.request(`/api/v1/programs/${f.program.id}/agreements`, { method: "POST", key: f.vendorKey, json: { title, body: "Terms." } }), 201);
  const accept = async (key: string, version: number) =>
    okJson(await t.request("/api/v1/me/agreement/accept", { method: "POST", key, json: { version }, headers: { "user-agent": "TestAgent/1" } }));

  beforeEach(async () => {
    t = await createTestApp({ now: Date.UTC(2026, 5, 1) });
    f = await coselling(t);
    for (const p of [f.anna, f.bob, f.cara]) await okJson(await profile(p.id, { leadCapacity: 5 }));
  });
  afterEach(async () => { await t.close(); });

  it("without an agreement anyone eligible gets leads; with one, only partners that accepted its current version", async () => {
    expect([f.anna.id, f.bob.id, f.cara.id]).toContain((await newLead("first")).partnerId);
    const v1 = await publish("Terms v1");
    // nobody accepted yet: nobody is offered
    expect(await newLead("second")).toMatchObject({ status: "unassigned", partnerId: null });
    await accept(f.cara.key, v1.version);
    for (const c of ["third", "fourth"]) expect((await newLead(c)).partnerId).toBe(f.cara.id);
    // a new version: cara's acceptance of v1 no longer counts
    const v2 = await publish("Terms v2");
    expect((await newLead("fifth")).status).toBe("unassigned");
    await accept(f.bob.key, v2.version);
    expect((await newLead("sixth")).partnerId).toBe(f.bob.id);
  });
});
