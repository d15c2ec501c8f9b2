import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createFixture, createTestApp, expectError, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;

/** Contract, second round: an id in a body that names nothing in scope is 400 (404 only in the path), never 500. */
describe("ids in request bodies that name nothing in scope", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("POST /programs/:id/rules: an empty, unknown or foreign tierId is 400 on tierId", async () => {
    const other = await createFixture(t);
    const before = await countRows(t, "commission_rules");
    for (const tierId of ["", " ", "tier_nope", other.program.entryTierId]) {
      const res = await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "flat", value: "5", tierId } });
      const err = await expectError(res, 400, "validation_failed");
      expect(err.details?.[0]?.path, JSON.stringify(tierId)).toBe("tierId");
    }
    expect(await countRows(t, "commission_rules")).toBe(before);
  });

  it("POST /links: an empty, unknown or foreign programId or partnerId is 400 naming the field", async () => {
    const other = await createFixture(t);
    const post = (json: Record<string, unknown>) =>
      t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/", ...json } });
    const before = await countRows(t, "links");
    for (const [json, path] of [
      [{ programId: "" }, "programId"], [{ programId: "prg_nope" }, "programId"], [{ programId: other.program.id }, "programId"],
      [{ partnerId: "" }, "partnerId"], [{ partnerId: "ptn_nope" }, "partnerId"], [{ partnerId: other.partner.id }, "partnerId"],
    ] as const) {
      const err = await expectError(await post(json), 400, "validation_failed");
      expect(err.details?.[0]?.path, JSON.stringify(json)).toBe(path);
    }
    expect(await countRows(t, "links")).toBe(before);
  });

  it("ids in the path stay 404", async () => {
    await expectError(await t.request("/api/v1/programs/prg_nope/rules", { method: "POST", key: f.vendorKey, json: { event: "sale", type: "flat", value: "5" } }), 404, "not_found");
    await expectError(await t.request("/api/v1/links/lnk_nope", { key: f.vendorKey }), 404, "not_found");
  });
});
