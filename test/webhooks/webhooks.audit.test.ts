import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, okJson, type TestApp } from "../helpers/app";
import { WHSEC } from "../stripe/events";

// The manager's changes of webhook endpoints and of the Stripe connection are in the audit log
// (object type `webhook`), in the transaction of the change; no secret ever is.
describe("audit of webhook endpoints and the Stripe connection", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp({ webhookTargets: { allowPrivate: true } });
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const audit = async (objectId: string) =>
    (await okJson(await t.request(`/api/v1/audit?objectId=${objectId}`, { key: f.vendorKey }))).data as { action: string; actor: { kind: string }; object: { type: string; id: string }; changes: Record<string, unknown> }[];

  it("create, change, rotate and delete an endpoint: each the vendor's decision, without the secret", async () => {
    const created = await okJson(await t.request("/api/v1/webhooks", { method: "POST", key: f.vendorKey, json: { url: "http://127.0.0.1:9/hook", events: ["deal.created"] } }), 201);
    t.clock.now += 1000;
    await okJson(await t.request(`/api/v1/webhooks/${created.id}`, { method: "PATCH", key: f.vendorKey, json: { events: ["*"], enabled: false } }));
    t.clock.now += 1000;
    const rotated = await okJson(await t.request(`/api/v1/webhooks/${created.id}/rotate-secret`, { method: "POST", key: f.vendorKey }));
    t.clock.now += 1000;
    await okJson(await t.request(`/api/v1/webhooks/${created.id}`, { method: "DELETE", key: f.vendorKey }));
    const entries = await audit(created.id);
    expect(entries.map((e) => e.action)).toEqual(["webhook.delete", "webhook.rotate_secret", "webhook.update", "webhook.create"]);
    for (const e of entries) expect(e).toMatchObject({ actor: { kind: "vendor" }, object: { type: "webhook", id: created.id } });
    expect(entries[2]!.changes).toEqual({ events: [["deal.created"], ["*"]], enabled: [true, false], disabledReason: [null, "manual"] });
    expect(entries[3]!.changes).toMatchObject({ url: [null, "http://127.0.0.1:9/hook"] });
    const text = JSON.stringify(entries);
    for (const secret of [created.secret, rotated.secret]) expect(text).not.toContain(String(secret).slice(6));
    expect(text).not.toContain("whsec_");
  });

  it("connecting Stripe is in the audit log, its signing secret is not", async () => {
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/integrations/stripe`, { method: "PUT", key: f.vendorKey, json: { webhookSecret: WHSEC } }));
    const entries = await audit(f.program.id);
    expect(entries.find((e) => e.action === "stripe.connect")).toMatchObject({ actor: { kind: "vendor" }, object: { type: "stripe_integration", id: f.program.id } });
    expect(JSON.stringify(entries)).not.toContain(WHSEC.slice(6));
  });
});
