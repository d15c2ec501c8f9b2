import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, sqlRows, type TestApp } from "../helpers/app";
import { act, coselling, registered, type Coselling } from "../deals/helpers";

const HOUR = 3_600_000;

// Every change of a lead writes `lead.updated` in its transaction (the object as the manager sees
// it, trail included); the manager's and the partner's decisions are in the audit log, a time-out
// by settle is the system's and is not. A won deal writes deal.updated, and its sale the events
// of any conversion.
describe("lead and deal events", () => {
  let t: TestApp;
  let f: Coselling;
  const profile = (id: string, p: Record<string, unknown>) => t.request(`/api/v1/partners/${id}`, { method: "PATCH", key: f.vendorKey, json: { profile: p } });
  const newLead = async (company: string) =>
    okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company, contactEmail: `kim@${company}.example`, value: "900" } }), 201);
  const me = (key: string, path: string) => t.request(`/api/v1/me/leads${path}`, { method: "POST", key });
  const eventsOf = async (id: string) =>
    (await sqlRows(t, "SELECT type, action, actor_kind AS actor, actor_partner_id AS partner, changes, data FROM events WHERE object_id = ? ORDER BY created_at, rowid", [id]))
      .map((e) => ({ ...(e as { type: string; action: string | null; actor: string; partner: string | null }), changes: e.changes ? JSON.parse(String(e.changes)) : null, data: e.data ? JSON.parse(String(e.data)) : null }));
  const managerView = async (id: string) =>
    (await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads?limit=100`, { key: f.vendorKey }))).data.find((l: { id: string }) => l.id === id);

  beforeEach(async () => {
    t = await createTestApp({ now: Date.UTC(2026, 5, 1) });
    f = await coselling(t);
    await okJson(await profile(f.anna.id, { leadCapacity: 3 }));
    await okJson(await profile(f.bob.id, { leadCapacity: 3 }));
  });
  afterEach(async () => { await t.close(); });

  it("a conversion that expires the account's stale approved deal writes that deal's deal.updated", async () => {
    const old = await registered(t, f.cara.key, { company: "Globex", domain: "globex.example", contactName: "Kim", contactEmail: "kim@globex.example", value: "100" });
    await okJson(await act(t, f.vendorKey, old.id, "approve"));
    t.clock.now += 400 * 24 * HOUR; // its protection has passed
    const lead = await newLead("globex");
    const holder = lead.partnerId === f.anna.id ? f.anna : f.bob;
    await okJson(await me(holder.key, `/${lead.id}/accept`));
    const d = await okJson(await me(holder.key, `/${lead.id}/deal`), 201);
    expect(d.status).toBe("approved");
    expect(await sqlRows(t, "SELECT status FROM deals WHERE id = ?", [old.id])).toEqual([{ status: "expired" }]);
    const expiry = (await eventsOf(old.id)).filter((e) => e.changes?.status?.[1] === "expired");
    expect(expiry).toMatchObject([{ type: "deal.updated", action: null, actor: "system", changes: { status: ["approved", "expired"] }, data: { id: old.id, status: "expired" } }]);
  });
  it("created, declined and re-offered, accepted, converted: one lead.updated each, with the lead as the API shows it", async () => {
    const lead = await newLead("globex");
    const first = lead.partnerId as string;
    const [holder, other] = first === f.anna.id ? [f.anna, f.bob] : [f.bob, f.anna];
    let events = await eventsOf(lead.id);
    expect(events).toMatchObject([{ type: "lead.updated", action: "lead.create", actor: "vendor", changes: { status: [null, "offered"], partnerId: [null, first] } }]);
    expect(events[0]!.data).toEqual(await managerView(lead.id));

    t.clock.now += 1000;
    await okJson(await me(holder.key, `/${lead.id}/decline`));
    t.clock.now += 1000;
    await okJson(await me(other.key, `/${lead.id}/accept`));
    t.clock.now += 1000;
    const d = await okJson(await me(other.key, `/${lead.id}/deal`), 201);
    events = await eventsOf(lead.id);
    expect(events.map((e) => [e.type, e.action, e.actor, e.partner])).toEqual([
      ["lead.updated", "lead.create", "vendor", null],
      ["lead.updated", "lead.decline", "partner", holder.id],
      ["lead.updated", "lead.accept", "partner", other.id],
      ["lead.updated", "lead.convert", "partner", other.id],
    ]);
    expect(events[1]!.changes).toEqual({ partnerId: [holder.id, other.id], respondBy: [expect.any(Number), expect.any(Number)] });
    expect(events[3]!.data).toEqual(await managerView(lead.id));
    expect(events[3]!.data).toMatchObject({ status: "converted", dealId: d.id, attempts: [{ outcome: "declined" }, { outcome: "converted" }] });
    expect(await eventsOf(d.id)).toMatchObject([{ type: "deal.created", action: "deal.register", actor: "partner" }]);
    // the audit log shows the decisions
    const audit = await okJson(await t.request(`/api/v1/audit?objectId=${lead.id}`, { key: f.vendorKey }));
    expect(audit.data.map((e: { action: string }) => e.action).sort()).toEqual(["lead.accept", "lead.convert", "lead.create", "lead.decline"]);
    // a refused change writes nothing
    expect((await me(other.key, `/${lead.id}/accept`)).status).toBe(409);
    expect(await eventsOf(lead.id)).toHaveLength(4);
  });

  it("a time-out by settle is a system lead.updated (not in the audit log); a manual assignment is the manager's", async () => {
    const lead = await newLead("initech");
    const later = t.clock.now + 49 * HOUR;
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: new Date(later).toISOString() } }));
    t.clock.now = later + 1000;
    const moved = await managerView(lead.id);
    let events = await eventsOf(lead.id);
    expect(events[1]).toMatchObject({ type: "lead.updated", action: null, actor: "system" });
    expect(events[1]!.data).toMatchObject({ partnerId: moved.partnerId, attempts: [{ outcome: "timed_out" }, { outcome: "pending" }] });
    await okJson(await t.request(`/api/v1/leads/${lead.id}/assign`, { method: "POST", key: f.vendorKey, json: { partnerId: f.cara.id } }));
    events = await eventsOf(lead.id);
    expect(events).toHaveLength(3);
    expect(events[2]).toMatchObject({ type: "lead.updated", action: "lead.assign", actor: "vendor", changes: { partnerId: [moved.partnerId, f.cara.id] } });
    expect(events[2]!.data).toEqual(await managerView(lead.id));
    const audit = await okJson(await t.request(`/api/v1/audit?objectId=${lead.id}`, { key: f.vendorKey }));
    expect(audit.data.map((e: { action: string }) => e.action).sort()).toEqual(["lead.assign", "lead.create"]);
  });

  it("a lead nobody can take is created unassigned with its event", async () => {
    for (const p of [f.anna, f.bob]) await okJson(await profile(p.id, { leadCapacity: 0 }));
    const lead = await newLead("hooli");
    expect(lead.status).toBe("unassigned");
    expect(await eventsOf(lead.id)).toMatchObject([{ type: "lead.updated", action: "lead.create", changes: { status: [null, "unassigned"] }, data: { status: "unassigned", attempts: [] } }]);
  });

  it("a deal marked won writes deal.updated; its sale writes conversion.created and commission.created", async () => {
    const d = await registered(t, f.anna.key);
    await okJson(await act(t, f.vendorKey, d.id, "approve"));
    const won = await okJson(await act(t, f.vendorKey, d.id, "won", { amount: "500.00" }));
    const events = await eventsOf(d.id);
    expect(events.map((e) => [e.type, e.action, e.actor])).toEqual([["deal.created", "deal.register", "partner"], ["deal.updated", "deal.approve", "vendor"], ["deal.updated", "deal.won", "vendor"]]);
    expect(events[2]).toMatchObject({ changes: { status: ["approved", "won"], wonAmount: [null, 50000] }, data: { status: "won", wonAmount: "500.00" } });
    expect((await eventsOf(won.conversion.id)).map((e) => e.type)).toEqual(["conversion.created"]);
    expect((await eventsOf(won.conversion.commission.id)).map((e) => e.type)).toEqual(["commission.created"]);
    // the same call again records nothing new
    await okJson(await act(t, f.vendorKey, d.id, "won", { amount: "500.00" }));
    expect(await eventsOf(d.id)).toHaveLength(3);
    expect(await sqlRows(t, "SELECT type FROM events WHERE type IN ('conversion.created', 'commission.created')")).toHaveLength(2);
  });
  it("a lead's deal closing another partner's open deal of the account writes deal.updated for that one", async () => {
    await okJson(await profile(f.bob.id, { leadCapacity: 0 }));
    const held = await registered(t, f.cara.key, { company: "Globex", domain: "globex.example", contactName: "Kim", contactEmail: "kim@globex.example" });
    const lead = await newLead("globex");
    expect(lead.partnerId).toBe(f.anna.id);
    await okJson(await me(f.anna.key, `/${lead.id}/accept`));
    t.clock.now += 1000;
    await okJson(await me(f.anna.key, `/${lead.id}/deal`), 201);
    const events = await eventsOf(held.id);
    expect(events.map((e) => [e.type, e.action, e.actor])).toEqual([["deal.created", "deal.register", "partner"], ["deal.updated", null, "system"]]);
    expect(events[1]).toMatchObject({ changes: { status: ["submitted", "rejected"], reason: [null, "conflict_lost"] }, data: { id: held.id, status: "rejected" } });
  });
});
