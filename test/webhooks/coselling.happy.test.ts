import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, type TestApp } from "../helpers/app";
import { act, coselling, registered, type Coselling } from "../deals/helpers";
import { LOCAL, deliver, startReceiver, verifyAt, type Receiver } from "./receiver";

const T0 = Date.UTC(2026, 10, 22, 10, 0, 0, 0);

// The co-selling events reach a subscribed endpoint signed, with the objects as the API shows
// them: lead.updated (a lead as the manager sees it, its trail included), deal.created and
// deal.updated; an endpoint subscribed to other events gets none of them.
describe("webhooks: co-selling events", () => {
  let t: TestApp;
  let rx: Receiver;
  let f: Coselling;
  beforeEach(async () => {
    t = await createTestApp({ now: T0, webhookTargets: LOCAL });
    rx = await startReceiver();
    f = await coselling(t);
  });
  afterEach(async () => { await t.close(); await rx.close(); });

  it("lead.updated, deal.created and deal.updated go out signed; a filter keeps the others away", async () => {
    const { secret } = await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: `${rx.url}/cosell`, events: ["lead.updated", "deal.created", "deal.updated"] } }), 201);
    await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: `${rx.url}/other`, events: ["payout.paid"] } }), 201);
    await okJson(await t.request(`/api/v1/partners/${f.anna.id}`, { method: "PATCH", key: f.vendorKey, json: { profile: { leadCapacity: 2 } } }));
    const lead = await okJson(await t.request(`/api/v1/programs/${f.program.id}/leads`, { method: "POST", key: f.vendorKey, json: { company: "Globex", contactEmail: "kim@globex.example" } }), 201);
    const d = await registered(t, f.bob.key);
    t.clock.now += 1000;
    const approved = await okJson(await act(t, f.vendorKey, d.id, "approve"));
    await deliver(t);
    expect(rx.received.length).toBeGreaterThan(0);
    expect(rx.received.every((r) => r.url === "/cosell")).toBe(true);
    const bodies = rx.received.map((r) => verifyAt(secret, r));
    expect(bodies.map((b) => b.type).sort()).toEqual(["deal.created", "deal.updated", "lead.updated"]);
    const byType = Object.fromEntries(bodies.map((b) => [b.type, b]));
    expect(byType["lead.updated"]!.data).toEqual(lead);
    expect(byType["deal.updated"]!.data).toEqual(approved);
    expect(byType["deal.created"]!.data).toMatchObject({ id: d.id, status: "submitted", partnerId: f.bob.id });
  });
});
