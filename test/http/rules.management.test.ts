import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, expectError, okJson, postConversion, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;
const T0 = Date.UTC(2026, 10, 10, 12);

describe("rules: list, change, archive", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => { t = await createTestApp({ now: T0 }); f = await createFixture(t); });
  afterEach(async () => { await t.close(); });

  const rules = (query = "", key = f.vendorKey) => t.request(`/api/v1/programs/${f.program.id}/rules${query}`, { key });
  const patch = (id: string, json: unknown, key = f.vendorKey) => t.request(`/api/v1/rules/${id}`, { method: "PATCH", key, json });
  const archive = (id: string, key = f.vendorKey) => t.request(`/api/v1/rules/${id}`, { method: "DELETE", key });
  const sale = async (orderId: string) => okJson(await postConversion(t, f.postbackKey, { orderId, event: "sale", amount: "100.00", coupon: "ANNA10" }), 201);

  it("lists active rules; ?all=1 shows archived ones too", async () => {
    expect((await okJson(await rules())).data).toEqual([expect.objectContaining({ id: f.rule.id, value: "20", archived: false, archivedAt: null })]);
    await okJson(await archive(f.rule.id));
    expect((await okJson(await rules())).data).toEqual([]);
    expect((await okJson(await rules("?all=1"))).data).toEqual([expect.objectContaining({ id: f.rule.id, archived: true, archivedAt: new Date(T0).toISOString() })]);
  });

  it("a PATCHed rule prices the next conversion at once; earlier commissions and their explanation keep the old rule", async () => {
    const before = await sale("o1");
    expect(before.commission.amount).toBe("20.00");
    expect(await okJson(await patch(f.rule.id, { value: "12.5" }))).toMatchObject({ id: f.rule.id, type: "percent", value: "12.5" });
    const after = await sale("o2");
    expect(after.commission.amount).toBe("12.50");
    const flat = await okJson(await patch(f.rule.id, { type: "flat", value: "3.00" }));
    expect(flat).toMatchObject({ type: "flat", value: "3.00" });
    expect((await sale("o3")).commission.amount).toBe("3.00");
    const explained = await okJson(await t.request(`/api/v1/conversions/${before.id}`, { key: f.vendorKey }));
    expect(explained.explanation.rule).toEqual({ id: f.rule.id, type: "percent", value: "20", tierSpecific: false });
    expect(explained.explanation.arithmetic).toContain("20% of 100.00 USD = 20.00 USD");
  });

  it("an archived rule stops pricing at once; the commission it priced keeps naming it", async () => {
    const priced = await sale("o1");
    await okJson(await archive(f.rule.id));
    const unpriced = await sale("o2");
    expect(unpriced.commission).toBeNull();
    const explained = await okJson(await t.request(`/api/v1/conversions/${priced.id}`, { key: f.vendorKey }));
    expect(explained.explanation.rule.id).toBe(f.rule.id);
    // archiving again changes nothing; a new rule for the same event may follow
    expect((await okJson(await archive(f.rule.id))).archived).toBe(true);
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "flat", value: "1" } }), 201);
    expect((await sale("o3")).commission.amount).toBe("1.00");
  });

  it("409 for a second active rule of the same event and tier; another tier or event is fine", async () => {
    const post = (json: Record<string, unknown>) => t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json });
    await expectError(await post({ event: "sale", type: "flat", value: "1" }), 409, "conflict");
    await okJson(await post({ event: "lead", type: "flat", value: "1" }), 201);
    await okJson(await post({ event: "sale", type: "flat", value: "1", tierId: f.program.entryTierId }), 201);
    await expectError(await post({ event: "sale", type: "percent", value: "5", tierId: f.program.entryTierId }), 409, "conflict");
    expect((await okJson(await rules())).data).toHaveLength(3);
  });

  it("400 for bad changes; 409 when changing an archived rule", async () => {
    for (const [json, path] of [[{ value: "101" }, "value"], [{ value: "-1" }, "value"], [{ type: "flat" }, "value"], [{ type: "x" }, "type"], [{ value: "1.234" , type: "flat" }, "value"]] as const) {
      const err = await expectError(await patch(f.rule.id, json), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe(path);
    }
    await okJson(await archive(f.rule.id));
    await expectError(await patch(f.rule.id, { value: "5" }), 409, "conflict");
  });

  it("SECURITY: another vendor's rules are 404; a partner or postback key is 403", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await patch(f.rule.id, { value: "99" }, other.vendorKey), 404, "not_found");
    await expectError(await archive(f.rule.id, other.vendorKey), 404, "not_found");
    await expectError(await rules("", other.vendorKey), 404, "not_found");
    await expectError(await patch("rule_nope", { value: "1" }), 404, "not_found");
    for (const key of [f.partner.apiKey, f.postbackKey]) {
      await expectError(await patch(f.rule.id, { value: "99" }, key), 403, "forbidden");
      await expectError(await archive(f.rule.id, key), 403, "forbidden");
      await expectError(await rules("", key), 403, "forbidden");
    }
    expect((await sale("o1")).commission.amount).toBe("20.00");
  });
});
