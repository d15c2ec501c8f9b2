import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, okJson, sqlRows, type TestApp } from "../helpers/app";
import { deal, registered } from "./helpers";

// Deal events (issue 12/13): deal.created and deal.updated reach the outbox in the transaction
// of the change; a manager's decision is in the audit log; a refused decision writes nothing.

describe("deal events", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  let bea: { id: string; apiKey: string };
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    bea = (await addPartner(t, f.vendorKey, f.program.id, { name: "Bea", email: "bea@example.com" })).partner;
  });
  afterEach(async () => { await t.close(); });

  const register = (key: string, company: string, domain: string) => registered(t, key, deal({ company, domain, contactEmail: `kim@${domain}` }));
  const eventsOf = (id: string) => sqlRows(t, "SELECT type, action, actor_kind AS actor FROM events WHERE object_id = ? ORDER BY created_at, rowid", [id]);

  it("records deal.created, the approval and a rejection, and nothing for a refused approval", async () => {
    const first = await register(bea.apiKey, "Globex", "globex.example");
    expect(await eventsOf(first.id)).toEqual([{ type: "deal.created", action: "deal.register", actor: "partner" }]);
    const approved = await t.request(`/api/v1/deals/${first.id}/approve`, { method: "POST", key: f.vendorKey });
    expect(approved.status).toBe(200);
    expect((await eventsOf(first.id)).map((e) => e.type)).toEqual(["deal.created", "deal.updated"]);
    const audit = await okJson(await t.request(`/api/v1/audit?programId=${f.program.id}&objectId=${first.id}`, { key: f.vendorKey }));
    // (both entries carry the test clock's one instant, so their order is the ids')
    expect(audit.data.find((e: { action: string }) => e.action === "deal.approve")).toMatchObject({ actor: { kind: "vendor" }, changes: { status: ["submitted", "approved"] } });
    // approving again is refused and writes no event
    expect((await t.request(`/api/v1/deals/${first.id}/approve`, { method: "POST", key: f.vendorKey })).status).toBe(409);
    expect(await eventsOf(first.id)).toHaveLength(2);

    const other = await register(bea.apiKey, "Initech", "initech.example");
    await okJson(await t.request(`/api/v1/deals/${other.id}/reject`, { method: "POST", key: f.vendorKey, json: { reason: "not a fit" } }));
    expect(await eventsOf(other.id)).toEqual([
      { type: "deal.created", action: "deal.register", actor: "partner" },
      { type: "deal.updated", action: "deal.reject", actor: "vendor" },
    ]);
  });
  it("approving a conflict writes deal.updated for the deal it closes too; settle's expiry writes deal.updated (the system's)", async () => {
    const first = await register(f.partner.apiKey, "Globex", "globex.example");
    const second = await register(bea.apiKey, "Globex", "globex.example");
    expect(second.status).toBe("conflict");
    await okJson(await t.request(`/api/v1/deals/${second.id}/approve`, { method: "POST", key: f.vendorKey }));
    expect(await eventsOf(first.id)).toEqual([
      { type: "deal.created", action: "deal.register", actor: "partner" },
      { type: "deal.updated", action: null, actor: "system" },
    ]);
    const [lost] = await sqlRows(t, "SELECT changes, data FROM events WHERE object_id = ? AND type = 'deal.updated'", [first.id]);
    expect(JSON.parse(String(lost!.changes))).toMatchObject({ status: ["submitted", "rejected"], reason: [null, "conflict_lost"] });
    expect(JSON.parse(String(lost!.data))).toMatchObject({ id: first.id, status: "rejected", reason: "conflict_lost" });
    // approving again is refused and writes nothing for either
    expect((await t.request(`/api/v1/deals/${second.id}/approve`, { method: "POST", key: f.vendorKey })).status).toBe(409);
    expect(await eventsOf(first.id)).toHaveLength(2);

    // after the protection, settle expires the approved deal (twice at once: once)
    const later = new Date(t.clock.now + 400 * 86_400_000).toISOString();
    const settle = () => t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: later } });
    const results = await Promise.all([okJson(await settle()), okJson(await settle())]);
    expect(results.map((r) => r.expiredDeals).sort()).toEqual([0, 1]);
    const events = await eventsOf(second.id);
    expect(events.at(-1)).toEqual({ type: "deal.updated", action: null, actor: "system" });
    expect(events.filter((e) => e.actor === "system")).toHaveLength(1);
  });
  it("a registration that expires a stale deal of the account writes that deal's deal.updated, once (settle after it writes none)", async () => {
    const first = await register(bea.apiKey, "Globex", "globex.example");
    await okJson(await t.request(`/api/v1/deals/${first.id}/approve`, { method: "POST", key: f.vendorKey }));
    t.clock.now += 400 * 86_400_000; // the approved deal's protection has passed
    const second = await register(f.partner.apiKey, "Globex", "globex.example");
    expect(second.status).toBe("submitted");
    expect(await sqlRows(t, "SELECT status FROM deals WHERE id = ?", [first.id])).toEqual([{ status: "expired" }]);
    const expiredEvents = async () => sqlRows(t, "SELECT type, actor_kind AS actor, changes, data FROM events WHERE object_id = ? AND changes LIKE '%expired%'", [first.id]);
    const [expired, ...more] = await expiredEvents();
    expect(more).toEqual([]);
    expect(expired).toMatchObject({ type: "deal.updated", actor: "system" });
    expect(JSON.parse(String(expired!.changes))).toMatchObject({ status: ["approved", "expired"] });
    expect(JSON.parse(String(expired!.data))).toMatchObject({ id: first.id, status: "expired" });
    // settle finds nothing left to expire and writes no second event
    const settled = await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: new Date(t.clock.now).toISOString() } }));
    expect(settled.expiredDeals).toBe(0);
    expect(await expiredEvents()).toHaveLength(1);
  });
  it("approving a deal whose account holds a stale approved deal writes the stale deal's expiry too", async () => {
    const first = await register(bea.apiKey, "Globex", "globex.example");
    await okJson(await t.request(`/api/v1/deals/${first.id}/approve`, { method: "POST", key: f.vendorKey }));
    // a second registration while the first is protected is a conflict, approved once the protection passed
    const second = await register(f.partner.apiKey, "Globex", "globex.example");
    expect(second.status).toBe("conflict");
    t.clock.now += 400 * 86_400_000;
    await okJson(await t.request(`/api/v1/deals/${second.id}/approve`, { method: "POST", key: f.vendorKey }));
    expect(await sqlRows(t, "SELECT status FROM deals WHERE id = ?", [first.id])).toEqual([{ status: "expired" }]);
    const events = await sqlRows(t, "SELECT type, actor_kind AS actor, changes FROM events WHERE object_id = ? AND type = 'deal.updated' ORDER BY rowid", [first.id]);
    expect(events.map((e) => JSON.parse(String(e.changes)).status)).toEqual([["submitted", "approved"], ["approved", "expired"]]);
  });
});
