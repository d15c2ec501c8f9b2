import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, click, createFixture, createTestApp, expectError, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t, { program: { name: "Acme Shop", minPayout: "1" } });
});
afterEach(() => t.close());

const publish = (title: string, body = "You agree to be nice.", programId = f.program.id, key = f.vendorKey) =>
  t.request(`/api/v1/programs/${programId}/agreements`, { method: "POST", key, json: { title, body } });
const me = (key: string) => t.request("/api/v1/me/agreement", { key });
const accept = (key: string, version: number) => t.request("/api/v1/me/agreement/accept", { method: "POST", key, json: { version }, headers: { "user-agent": "TestAgent/1", "x-test-ip": "198.51.100.77" } });

describe("agreement", () => {
  it("versions count up; the partner sees the current one and accepts it; the acceptance keeps time, version and a keyed hash only", async () => {
    expect((await okJson(await me(f.partner.apiKey))).current).toBeNull();
    const v1 = await okJson(await publish("Terms"), 201);
    expect(v1).toMatchObject({ version: 1, title: "Terms", body: "You agree to be nice." });
    const v2 = await okJson(await publish("Terms v2"), 201);
    expect(v2.version).toBe(2);
    const mine = await okJson(await me(f.partner.apiKey));
    expect(mine.current).toMatchObject({ id: v2.id, version: 2, acceptedAt: null });
    await expectError(await accept(f.partner.apiKey, 1), 409, "conflict");
    const ok = await okJson(await accept(f.partner.apiKey, 2));
    expect(ok.version).toBe(2);
    expect((await okJson(await me(f.partner.apiKey))).current.acceptedAt).toBe(ok.acceptedAt);
    const list = await okJson(await t.request(`/api/v1/programs/${f.program.id}/agreements`, { key: f.vendorKey }));
    expect(list.data.map((a: { version: number; acceptedCount: number }) => [a.version, a.acceptedCount])).toEqual([[2, 1], [1, 0]]);
    const who = await okJson(await t.request(`/api/v1/agreements/${v2.id}`, { key: f.vendorKey }));
    expect(who.acceptances).toEqual([{ partnerId: f.partner.id, name: "Anna", email: "anna@example.com", version: 2, acceptedAt: ok.acceptedAt }]);
    const rows = await sqlRows(t, "SELECT * FROM agreement_acceptances");
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain("198.51.100.77");
    expect(JSON.stringify(rows)).not.toContain("TestAgent");
    expect(String(rows[0]!.client_hash)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("a partner who has not accepted the current version is left out of new payouts until they accept", async () => {
    const { partner: ben, link } = await addPartner(t, f.vendorKey, f.program.id, { name: "Ben", email: "ben@example.com" }, { slug: "ben-link" });
    await okJson(await postConversion(t, f.postbackKey, { event: "sale", orderId: "A-1", amount: "50.00", currency: "USD", clickId: await click(t, "anna") }), 201);
    await okJson(await postConversion(t, f.postbackKey, { event: "sale", orderId: "B-1", amount: "50.00", currency: "USD", clickId: await click(t, link!.slug) }), 201);
    const { settleProgram } = await import("../../src/services/prm/settle");
    await settleProgram(t.db, f.program.id, t.clock.now + 1);
    const v1 = await okJson(await publish("Terms"), 201);
    await okJson(await accept(f.partner.apiKey, v1.version));
    const batch = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    expect(batch.payouts.map((p: { partnerId: string }) => p.partnerId)).toEqual([f.partner.id]);
    await okJson(await accept(ben.apiKey, 1));
    const next = await okJson(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey }), 201);
    expect(next.payouts.map((p: { partnerId: string }) => p.partnerId)).toEqual([ben.id]);
  });

  it("errors: empty title, body over 60 KiB, version not a number, accepting when there is none", async () => {
    await expectError(await publish(""), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/agreements`, { method: "POST", key: f.vendorKey, json: { title: "Big", body: "é".repeat(31_000) } }), 400, "validation_failed");
    await expectError(await t.request("/api/v1/me/agreement/accept", { method: "POST", key: f.partner.apiKey, json: { version: "1" } }), 400, "validation_failed");
    await expectError(await accept(f.partner.apiKey, 1), 409, "conflict");
    await expectError(await me(f.vendorKey), 403, "forbidden");
    await expectError(await publish("T", "b", f.program.id, f.partner.apiKey), 403, "forbidden");
  });

  it("security: another vendor's program and agreement are 404; a partner sees only their own program's agreement", async () => {
    const other = await createFixture(t, { program: { name: "Other" }, partner: { email: "o@example.com", coupon: "OTH" }, link: { slug: "other" } });
    const theirs = await okJson(await publish("Theirs", "x", other.program.id, other.vendorKey), 201);
    await expectError(await publish("Mine", "x", other.program.id, f.vendorKey), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${other.program.id}/agreements`, { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/agreements/${theirs.id}`, { key: f.vendorKey }), 404, "not_found");
    expect((await okJson(await me(f.partner.apiKey))).current).toBeNull();
    await expectError(await accept(f.partner.apiKey, 1), 409, "conflict");
  });
});
