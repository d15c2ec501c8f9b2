import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("tiers and partners: change and delete", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => { t = await createTestApp({ now: Date.UTC(2026, 10, 10, 12) }); f = await createFixture(t); });
  afterEach(async () => { await t.close(); });

  const addTier = (json: Record<string, unknown>) => t.request(`/api/v1/programs/${f.program.id}/tiers`, { method: "POST", key: f.vendorKey, json });
  const patchTier = (id: string, json: unknown, key = f.vendorKey) => t.request(`/api/v1/tiers/${id}`, { method: "PATCH", key, json });
  const delTier = (id: string, key = f.vendorKey) => t.request(`/api/v1/tiers/${id}`, { method: "DELETE", key });
  const patchPartner = (id: string, json: unknown, key = f.vendorKey) => t.request(`/api/v1/partners/${id}`, { method: "PATCH", key, json });

  it("PATCH a tier; DELETE it (and its rules) when empty; its rank is free again", async () => {
    const gold = await okJson(await addTier({ name: "Gold", rank: 1, metric: "revenue", threshold: "1000.00" }), 201);
    const rule = await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "percent", value: "30", tierId: gold.id } }), 201);
    expect(await okJson(await patchTier(gold.id, { name: "Golden", threshold: "500", windowDays: 30 }))).toMatchObject({ name: "Golden", threshold: "500.00", windowDays: 30 });
    expect(await okJson(await patchTier(gold.id, { metric: "conversions", threshold: 10 }))).toMatchObject({ metric: "conversions", threshold: "10" });
    await okJson(await delTier(gold.id));
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/tiers`, { key: f.vendorKey }))).data.map((x: { id: string }) => x.id)).toEqual([f.program.entryTierId]);
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules?all=1`, { key: f.vendorKey }))).data.find((r: { id: string }) => r.id === rule.id).archived).toBe(true);
    await expectError(await patchTier(gold.id, { name: "x" }), 404, "not_found");
    await okJson(await addTier({ name: "Gold again", rank: 1, metric: "revenue", threshold: "1" }), 201);
  });

  it("409 deleting the entry tier or a tier with partners; 400 for bad changes", async () => {
    await expectError(await delTier(f.program.entryTierId), 409, "conflict");
    const gold = await okJson(await addTier({ name: "Gold", rank: 1, metric: "conversions", threshold: "1" }), 201);
    await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10" }), 201);
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} }));
    await expectError(await delTier(gold.id), 409, "conflict");
    for (const json of [{ metric: "revenue" }, { threshold: "-1" }, { windowDays: 0 }, { name: "" }, { threshold: "1.5" }]) {
      await expectError(await patchTier(gold.id, json), 400, "validation_failed");
    }
    await expectError(await patchTier(f.program.entryTierId, { threshold: "5" }), 400, "validation_failed");
  });

  it("PATCH a partner: name, email, coupon, status; email and coupon unique per program whatever the case (409, also on create)", async () => {
    const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB" });
    const changed = await okJson(await patchPartner(bob.id, { name: "Robert", email: "robert@example.com", coupon: "ROB5", status: "deactivated" }));
    expect(changed).toMatchObject({ id: bob.id, name: "Robert", email: "robert@example.com", coupon: "ROB5", status: "deactivated" });
    await expectError(await patchPartner(bob.id, { email: "ANNA@example.com" }), 409, "conflict");
    await expectError(await patchPartner(bob.id, { coupon: "anna10" }), 409, "conflict");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "X", email: "Anna@Example.com" } }), 409, "conflict");
    for (const json of [{ status: "pending" }, { email: "nope" }, { coupon: "a" }, { name: "" }]) await expectError(await patchPartner(bob.id, json), 400, "validation_failed");
    // (a deactivated partner earns nothing: CONTRACT-PRM §1, tested in test/lifecycle/statuses.test.ts)
    expect((await okJson(await patchPartner(bob.id, { status: "approved" }))).status).toBe("approved");
    // the old coupon is free and attributes nothing; the new one attributes at once
    expect((await okJson(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "BOB" }), 201)).reason).toBe("coupon_unknown");
    expect((await okJson(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "10", coupon: "rob5" }), 201)).attribution.partnerId).toBe(bob.id);
    expect((await okJson(await patchPartner(bob.id, { coupon: null }))).coupon).toBeNull();
    const other = await createFixture(t, { link: { slug: "other" } });
    expect(other.partner.email).toBe("anna@example.com"); // another program may use the same email
  });

  it("SECURITY: another vendor's tiers and partners are 404; other key kinds 403", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    const gold = await okJson(await addTier({ name: "Gold", rank: 1, metric: "revenue", threshold: "1" }), 201);
    await expectError(await patchTier(gold.id, { name: "x" }, other.vendorKey), 404, "not_found");
    await expectError(await delTier(gold.id, other.vendorKey), 404, "not_found");
    await expectError(await patchPartner(f.partner.id, { name: "x" }, other.vendorKey), 404, "not_found");
    for (const key of [f.partner.apiKey, f.postbackKey]) {
      await expectError(await patchTier(gold.id, { name: "x" }, key), 403, "forbidden");
      await expectError(await delTier(gold.id, key), 403, "forbidden");
      await expectError(await patchPartner(f.partner.id, { name: "x" }, key), 403, "forbidden");
    }
    expect((await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners`, { key: f.vendorKey }))).data[0].name).toBe("Anna");
  });
});
