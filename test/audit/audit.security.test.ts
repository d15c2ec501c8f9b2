import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, expectError, okJson, sqlRows, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 10, 1, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("audit log: scope, secrets, and one transaction with the change", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); f = await createFixture(t); });
  afterEach(async () => { await t.close(); });

  const api = (path: string, method = "GET", json?: unknown, key = f.vendorKey) => t.request(path, { method, key, ...(json === undefined ? {} : { json }) });
  const eventsTable = async () => JSON.stringify(await sqlRows(t, "SELECT * FROM events"));
  const countEvents = async (action: string) => (await sqlRows(t, "SELECT count(*) AS n FROM events WHERE action = ?", [action]))[0]!.n;

  it("SECURITY: keys created, rotated and revoked are entries by key id; no secret (nor its prefix) in the answer or the table", async () => {
    const secrets: string[] = [f.vendorKey, f.postbackKey, f.publicKey, f.partner.apiKey];
    t.clock.now += 1000;
    const rotated = await okJson(await api(`/api/v1/programs/${f.program.id}/keys/postback/rotate`, "POST", { graceHours: 1 }));
    const rotatedPartner = await okJson(await api(`/api/v1/partners/${f.partner.id}/rotate-key`, "POST"));
    const mine = await okJson(await t.request("/api/v1/me/rotate-key", { method: "POST", key: rotatedPartner.apiKey }));
    const created = await okJson(await api("/api/v1/keys", "POST", { name: "CI" }), 201);
    t.clock.now += 1000;
    await okJson(await api(`/api/v1/keys/${created.id}`, "DELETE"));
    secrets.push(rotated.key, rotatedPartner.apiKey, mine.apiKey, created.apiKey);

    const newPostbackId = (await sqlRows(t, "SELECT id FROM api_keys WHERE program_id = ? AND kind = 'postback' AND revoked_at IS NULL AND expires_at IS NULL", [f.program.id]))[0]!.id;
    const res = await api(`/api/v1/audit?programId=${f.program.id}`);
    const text = await res.clone().text();
    const { data } = await okJson(res);
    expect(data.find((e: { action: string; object: { id: string } }) => e.action === "key.rotate" && e.object.id === newPostbackId)).toMatchObject({ object: { type: "key" }, changes: { kind: [null, "postback"], graceHours: [null, 1] } });
    const partnerRotations = data.filter((e: { action: string; changes: { kind?: unknown[] } }) => e.action === "key.rotate" && e.changes.kind?.[1] === "partner");
    expect(partnerRotations.map((e: { actor: { kind: string } }) => e.actor.kind).sort()).toEqual(["partner", "vendor"]);
    // vendor-wide keys have no program: the vendor's whole log shows them
    const vendorWide = (await okJson(await api(`/api/v1/audit?objectId=${created.id}`))).data;
    expect(vendorWide.map((e: { action: string }) => e.action)).toEqual(["key.revoke", "key.create"]);

    const table = await eventsTable();
    const all = text + JSON.stringify(vendorWide);
    for (const s of secrets) {
      expect(all).not.toContain(s);
      expect(table).not.toContain(s);
      expect(table).not.toContain(s.slice(0, 12)); // the stored prefix is part of the secret
    }
    const hashes = await sqlRows(t, "SELECT hash FROM api_keys");
    for (const h of hashes) expect(table).not.toContain(h.hash as string);
  });

  it("SECURITY: another vendor's program is 404; its entries never show in my log; other key kinds 403", async () => {
    const other = await createFixture(t);
    await okJson(await api(`/api/v1/programs/${other.program.id}`, "PATCH", { holdDays: 3 }, other.vendorKey));
    await expectError(await api(`/api/v1/audit?programId=${other.program.id}`), 404, "not_found");
    const mine = (await okJson(await api(`/api/v1/audit?objectId=${other.program.id}`))).data;
    expect(mine).toEqual([]);
    const everything = (await okJson(await api("/api/v1/audit?limit=100"))).data as { programId: string | null }[];
    expect(everything.length).toBeGreaterThan(0);
    expect(everything.every((e) => e.programId === f.program.id || e.programId === null)).toBe(true);
    await expectError(await api("/api/v1/audit", "GET", undefined, f.partner.apiKey), 403, "forbidden");
    await expectError(await api("/api/v1/audit", "GET", undefined, f.postbackKey), 403, "forbidden");
    await expectError(await t.request("/api/v1/audit"), 401, "unauthorized");
  });

  it("a write that fails leaves no entry (the event is in the change's transaction)", async () => {
    // a second active rule for sale: 409 from the unique index, inside the batch with the event
    await expectError(await api(`/api/v1/programs/${f.program.id}/rules`, "POST", { event: "sale", type: "flat", value: "5.00" }), 409, "conflict");
    expect(await countEvents("rule.create")).toBe(1); // the fixture's rule only
    // a second partner with the same email: 409
    await expectError(await api(`/api/v1/programs/${f.program.id}/partners`, "POST", { name: "Anna 2", email: "ANNA@example.com" }), 409, "conflict");
    expect(await countEvents("partner.create")).toBe(1);
    // a taken email on update: the update fails, no partner.update entry
    const bob = await okJson(await api(`/api/v1/programs/${f.program.id}/partners`, "POST", { name: "Bob", email: "bob@example.com" }), 201);
    await expectError(await api(`/api/v1/partners/${bob.id}`, "PATCH", { email: "anna@example.com" }), 409, "conflict");
    expect(await countEvents("partner.update")).toBe(0);
    // the vendor's last key: 409, no key.revoke
    const [own] = await sqlRows(t, "SELECT id FROM api_keys WHERE vendor_id = ? AND kind = 'vendor'", [f.vendor.id]);
    await expectError(await api(`/api/v1/keys/${own!.id}`, "DELETE"), 409, "conflict");
    expect(await countEvents("key.revoke")).toBe(0);
    // a tier whose rank is taken: 409
    await okJson(await api(`/api/v1/programs/${f.program.id}/tiers`, "POST", { name: "Gold", rank: 1, metric: "revenue", threshold: "10.00" }), 201);
    await expectError(await api(`/api/v1/programs/${f.program.id}/tiers`, "POST", { name: "Gold 2", rank: 1, metric: "revenue", threshold: "20.00" }), 409, "conflict");
    expect(await countEvents("tier.create")).toBe(1);
    // a slug taken: no link.create
    await expectError(await api("/api/v1/links", "POST", { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/x", slug: "anna" }), 409, "conflict");
    expect(await countEvents("link.create")).toBe(1);
  });

  it("a change whose event cannot be written is not made either (one batch)", async () => {
    await t.client.execute("ALTER TABLE events RENAME TO events_gone");
    const res = await api(`/api/v1/programs/${f.program.id}`, "PATCH", { holdDays: 21 });
    expect(res.status).toBe(500);
    const res2 = await api(`/api/v1/partners/${f.partner.id}`, "PATCH", { name: "Changed" });
    expect(res2.status).toBe(500);
    await t.client.execute("ALTER TABLE events_gone RENAME TO events");
    expect((await okJson(await api(`/api/v1/programs/${f.program.id}`))).holdDays).toBe(0);
    expect((await sqlRows(t, "SELECT name FROM partners WHERE id = ?", [f.partner.id]))[0]!.name).toBe("Anna");
  });

  it("bad filters are 400 in the error envelope", async () => {
    await expectError(await api("/api/v1/audit?from=2026-13-01"), 400, "validation_failed");
    await expectError(await api("/api/v1/audit?limit=0"), 400, "validation_failed");
    await expectError(await api(`/api/v1/audit?to=yesterday`), 400, "validation_failed");
  });
});
