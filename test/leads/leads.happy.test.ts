import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, sqlRows, type TestApp } from "../helpers/app";
import { coselling, type Coselling } from "../deals/helpers";

const HOUR = 3_600_000;

describe("lead distribution", () => {
  let t: TestApp;
  let f: Coselling;
  const profile = (id: string, p: Record<string, unknown>) => t.request(`/api/v1/partners/${id}`, { method: "PATCH", key: f.vendorKey, json: { profile: p } });
  const newLead = async (over: Record<string, unknown> = {}) =>
    okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "Globex", contactEmail: "hank@globex.com", country: "DE", vertical: "saas", value: "900", ...over } }), 201);
  const me = (key: string, path: string, json?: unknown) => t.request(`/api/v1/me/leads${path}`, { method: "POST", key, ...(json === undefined ? {} : { json }) });

  beforeEach(async () => {
    t = await createTestApp({ now: Date.UTC(2026, 5, 1) });
    f = await coselling(t);
  });
  // routing reads each partner's kept open-lead count: after every test it equals the real count
  afterEach(async () => {
    const drift = await sqlRows(t, `SELECT id FROM partners p WHERE open_leads != (SELECT count(*) FROM leads l WHERE l.partner_id = p.id AND l.status IN ('offered', 'accepted'))`);
    await t.close();
    expect(drift).toEqual([]);
  });

  it("partners set profiles (manager or themselves); a partner without capacity gets nothing", async () => {
    expect(await okJson(await profile(f.anna.id, { countries: ["de"], verticals: ["SaaS"], leadCapacity: 2 }))).toMatchObject({ profile: { countries: ["DE"], verticals: ["saas"], leadCapacity: 2 } });
    expect(await okJson(await t.request("/api/v1/me", { method: "PATCH", key: f.bob.key, json: { profile: { leadCapacity: 1 } } }))).toMatchObject({ profile: { countries: [], verticals: [], leadCapacity: 1 } });
    const lead = await newLead({ country: "FR" });
    expect(lead).toMatchObject({ status: "offered", partnerId: f.bob.id, attempts: [{ partnerId: f.bob.id, outcome: "pending" }] });
    expect((await newLead({ company: "Initech" })).partnerId).toBe(f.anna.id); // bob is full
    expect(Date.parse(lead.respondBy)).toBe(t.clock.now + 48 * HOUR);
  });

  it("fewest open leads wins, ties go to the oldest last offer; nobody eligible leaves it unassigned", async () => {
    for (const p of [f.anna, f.bob]) await okJson(await profile(p.id, { leadCapacity: 2 }));
    const first = await newLead();
    t.clock.now += 1000;
    const second = await newLead();
    expect(new Set([first.partnerId, second.partnerId])).toEqual(new Set([f.anna.id, f.bob.id]));
    t.clock.now += 1000;
    expect((await newLead()).partnerId).toBe(first.partnerId); // both hold one: the oldest last offer
    t.clock.now += 1000;
    expect((await newLead()).partnerId).toBe(second.partnerId);
    const none = await newLead();
    expect(none).toMatchObject({ status: "unassigned", partnerId: null, respondBy: null, attempts: [] });
  });

  it("country, vertical and minTierRank decide eligibility", async () => {
    await okJson(await profile(f.anna.id, { countries: ["FR"], leadCapacity: 5 }));
    await okJson(await profile(f.bob.id, { verticals: ["retail"], leadCapacity: 5 }));
    await okJson(await profile(f.cara.id, { countries: ["DE"], verticals: ["saas"], leadCapacity: 5 }));
    expect((await newLead()).partnerId).toBe(f.cara.id);
    expect((await newLead({ country: "FR", vertical: undefined })).partnerId).toBe(f.anna.id);
    expect((await newLead({ minTierRank: 1 })).status).toBe("unassigned");
  });

  it("decline moves the lead on at once and never back; accept in time, then a deal approved at once", async () => {
    for (const p of [f.anna, f.bob]) await okJson(await profile(p.id, { leadCapacity: 3 }));
    const lead = await newLead();
    const firstId = lead.partnerId;
    const firstKey = firstId === f.anna.id ? f.anna.key : f.bob.key;
    const otherKey = firstId === f.anna.id ? f.bob.key : f.anna.key;
    const declined = await okJson(await me(firstKey, `/${lead.id}/decline`, { reason: "too far" }));
    expect(declined).toMatchObject({ status: "declined", partnerId: null, attempts: [{ partnerId: firstId, outcome: "declined", reason: "too far" }] });
    const mine = await okJson(await t.request("/api/v1/me/leads", { key: otherKey }));
    expect(mine.data).toHaveLength(1);
    expect(mine.data[0].attempts).toHaveLength(1); // only its own offer
    expect(await okJson(await me(otherKey, `/${lead.id}/accept`))).toMatchObject({ status: "accepted" });
    const deal = await okJson(await me(otherKey, `/${lead.id}/deal`, {}), 201);
    expect(deal).toMatchObject({ status: "approved", account: "globex.com", leadId: lead.id, value: "900.00", conflict: null });
    const trail = await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { key: f.vendorKey }));
    expect(trail.data[0]).toMatchObject({ status: "converted", dealId: deal.id });
    expect(trail.data[0].attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["declined", "converted"]);
    // when the second partner declines too, nobody is left
    const again = await newLead({ company: "Hooli", contactEmail: "a@hooli.com" });
    const k = again.partnerId === f.anna.id ? f.anna.key : f.bob.key;
    const k2 = again.partnerId === f.anna.id ? f.bob.key : f.anna.key;
    await okJson(await me(k, `/${again.id}/decline`));
    const list = await okJson(await t.request("/api/v1/me/leads?status=offered", { key: k2 }));
    await okJson(await me(k2, `/${list.data.find((l: { id: string }) => l.id === again.id).id}/decline`));
    expect((await sqlRows(t, "SELECT status, partner_id FROM leads WHERE id = ?", [again.id]))).toEqual([{ status: "unassigned", partner_id: null }]);
  });

  it("settle times out unanswered offers (twice at once: once) and re-offers; accepting late is 409", async () => {
    for (const p of [f.anna, f.bob]) await okJson(await profile(p.id, { leadCapacity: 3 }));
    const lead = await newLead();
    const firstKey = lead.partnerId === f.anna.id ? f.anna.key : f.bob.key;
    const later = t.clock.now + 49 * HOUR;
    const settle = () => t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: new Date(later).toISOString() } });
    const results = await Promise.all([okJson(await settle()), okJson(await settle())]);
    expect(results.map((r) => r.timedOutLeads).sort()).toEqual([0, 1]);
    t.clock.now = later;
    expect((await me(firstKey, `/${lead.id}/accept`)).status).toBe(404); // no longer its lead
    const trail = (await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { key: f.vendorKey }))).data[0];
    expect(trail.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["timed_out", "pending"]);
    const secondKey = firstKey === f.anna.key ? f.bob.key : f.anna.key;
    t.clock.now = later + 49 * HOUR;
    const late = await me(secondKey, `/${lead.id}/accept`);
    expect(late.status).toBe(409);
  });

  it("a manager assigns a lead to any approved partner, capacity aside", async () => {
    const lead = await newLead();
    expect(lead.status).toBe("unassigned");
    const assigned = await okJson(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: f.cara.id } }));
    expect(assigned).toMatchObject({ status: "offered", partnerId: f.cara.id, attempts: [{ partnerId: f.cara.id, manual: true, outcome: "pending" }] });
    t.clock.now += 1000;
    const re = await okJson(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: f.bob.id } }));
    expect(re.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(["reassigned", "pending"]);
  });
});
