import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, expectError, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const HOUR = 3_600_000;

describe("keys: rotation and vendor keys", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => { t = await createTestApp({ now: Date.UTC(2026, 10, 10, 12) }); f = await createFixture(t); });
  afterEach(async () => { await t.close(); });

  const rotate = (kind: string, json?: unknown, key = f.vendorKey) =>
    t.request(`/api/v1/programs/${f.program.id}/keys/${kind}/rotate`, { method: "POST", key, ...(json === undefined ? {} : { json }) });
  const postback = (key: string, orderId: string) => postConversion(t, key, { orderId, event: "sale", amount: "10.00", coupon: "ANNA10" });

  it("a rotated postback key stops at once by default; the new one works", async () => {
    await okJson(await postback(f.postbackKey, "warm"), 201); // the key is in the read cache now
    const { key } = await okJson(await rotate("postback"));
    expect(key).toMatch(/^afx_pb_/);
    await expectError(await postback(f.postbackKey, "o1"), 401, "unauthorized");
    await okJson(await postback(key, "o2"), 201);
  });

  it("with graceHours the old postback key works until the grace ends", async () => {
    await okJson(await postback(f.postbackKey, "warm"), 201);
    const { key } = await okJson(await rotate("postback", { graceHours: 2 }));
    await okJson(await postback(f.postbackKey, "o1"), 201);
    await okJson(await postback(key, "o2"), 201);
    t.clock.now += 2 * HOUR;
    await expectError(await postback(f.postbackKey, "o3"), 401, "unauthorized");
    await okJson(await postback(key, "o4"), 201);
  });

  it("the public key keeps 168 hours of grace by default; keys are stored hashed only", async () => {
    const { key } = await okJson(await rotate("public", {}));
    expect(key).toMatch(/^afx_pub_/);
    const rows = await sqlRows(t, "SELECT hash, expires_at FROM api_keys WHERE program_id = ? AND kind = 'public'", [f.program.id]);
    expect(rows).toHaveLength(2);
    expect(rows.some((r) => r.expires_at === t.clock.now + 168 * HOUR)).toBe(true);
    expect(JSON.stringify(await sqlRows(t, "SELECT * FROM api_keys"))).not.toContain(key);
  });

  it("400 for graceHours outside 0-168", async () => {
    for (const graceHours of [-1, 169, "2"]) await expectError(await rotate("postback", { graceHours }), 400, "validation_failed");
    await okJson(await postback(f.postbackKey, "still"), 201);
  });

  it("a partner key rotated by the vendor or by the partner stops at once", async () => {
    await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
    const { apiKey } = await okJson(await t.request(`/api/v1/partners/${f.partner.id}/rotate-key`, { method: "POST", key: f.vendorKey }));
    await expectError(await t.request("/api/v1/me", { key: f.partner.apiKey }), 401, "unauthorized");
    await okJson(await t.request("/api/v1/me", { key: apiKey }));
    const mine = await okJson(await t.request("/api/v1/me/rotate-key", { method: "POST", key: apiKey }));
    expect(mine.apiKey).toMatch(/^afx_pk_/);
    await expectError(await t.request("/api/v1/me", { key: apiKey }), 401, "unauthorized");
    expect((await okJson(await t.request("/api/v1/me", { key: mine.apiKey }))).id).toBe(f.partner.id);
  });

  it("vendor keys: list (never the secret), create, revoke at once, never the last one", async () => {
    const listed = await okJson(await t.request("/api/v1/keys", { key: f.vendorKey }));
    expect(listed.data).toHaveLength(1);
    const first = listed.data[0].id;
    t.clock.now += 1000; // newest first: a later key, not a tie broken by random ids
    const created = await okJson(await t.request("/api/v1/keys", { method: "POST", key: f.vendorKey, json: { name: "CI" } }), 201);
    expect(created).toMatchObject({ id: expect.any(String), name: "CI", apiKey: expect.stringMatching(/^afx_sk_/) });
    const both = await okJson(await t.request("/api/v1/keys", { key: created.apiKey }));
    expect(both.data.map((k: { id: string }) => k.id)).toEqual([created.id, first]);
    expect(JSON.stringify(both)).not.toContain(created.apiKey);
    expect(JSON.stringify(both)).not.toContain(f.vendorKey);
    await okJson(await t.request("/api/v1/programs", { key: f.vendorKey })); // warm the cache
    await okJson(await t.request(`/api/v1/keys/${first}`, { method: "DELETE", key: created.apiKey }));
    await expectError(await t.request("/api/v1/programs", { key: f.vendorKey }), 401, "unauthorized");
    await expectError(await t.request(`/api/v1/keys/${created.id}`, { method: "DELETE", key: created.apiKey }), 409, "conflict");
    await okJson(await t.request("/api/v1/programs", { key: created.apiKey }));
    await expectError(await t.request("/api/v1/keys", { method: "POST", key: created.apiKey, json: { name: "" } }), 400, "validation_failed");
  });

  it("SECURITY: another vendor's program, partner and keys are 404; other key kinds 403", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await rotate("postback", {}, other.vendorKey), 404, "not_found");
    await expectError(await t.request(`/api/v1/partners/${f.partner.id}/rotate-key`, { method: "POST", key: other.vendorKey }), 404, "not_found");
    const [mine] = (await okJson(await t.request("/api/v1/keys", { key: f.vendorKey }))).data;
    await okJson(await t.request("/api/v1/keys", { method: "POST", key: other.vendorKey, json: { name: "x" } }), 201);
    await expectError(await t.request(`/api/v1/keys/${mine.id}`, { method: "DELETE", key: other.vendorKey }), 404, "not_found");
    for (const key of [f.partner.apiKey, f.postbackKey, f.publicKey]) {
      await expectError(await rotate("postback", {}, key), 403, "forbidden");
      await expectError(await t.request("/api/v1/keys", { key }), 403, "forbidden");
      await expectError(await t.request(`/api/v1/partners/${f.partner.id}/rotate-key`, { method: "POST", key }), 403, "forbidden");
    }
    await expectError(await t.request("/api/v1/me/rotate-key", { method: "POST", key: f.vendorKey }), 403, "forbidden");
    await okJson(await postback(f.postbackKey, "untouched"), 201);
  });
});
