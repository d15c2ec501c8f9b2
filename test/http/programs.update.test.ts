import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, ADMIN_KEY, click, createFixture, createTestApp, expectError, postConversion, type TestApp } from "../helpers/app";

const T0 = Date.UTC(2026, 0, 15, 12, 0, 0, 0);
const DAY = 86_400_000;

async function ok(res: Response, expected = 200) {
  const text = await res.text();
  expect(res.status, text).toBe(expected);
  return JSON.parse(text);
}

describe("PATCH /api/v1/programs/:id", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  const patch = (json: unknown, key = f.vendorKey, id = f.program.id) => t.request(`/api/v1/programs/${id}`, { method: "PATCH", key, json });

  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { cookieDays: 30, holdDays: 0, minPayout: "50" } });
  });
  afterEach(async () => { await t.close(); });

  it("changes the settings it is given, normalized, and leaves the rest", async () => {
    const changed = await ok(await patch({ name: "  Outdoor shop ", cookieDays: 7, attribution: "first_click", holdDays: 14, allowedDomains: ["SHOP.example.com", "shop.example.com", ".Example.net"], minPayout: "25.5" }));
    expect(changed).toMatchObject({
      id: f.program.id, name: "Outdoor shop", currency: "USD", cookieDays: 7, attribution: "first_click", holdDays: 14,
      allowedDomains: ["shop.example.com", ".example.net"], clickParam: "afx_click", minPayout: "25.50",
    });
    expect(changed).not.toHaveProperty("postbackKey");
    expect(await ok(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }))).toEqual(changed);

    const renamed = await ok(await patch({ name: "Renamed" }));
    expect(renamed).toEqual({ ...changed, name: "Renamed" });
    // an empty change is a no-op that answers the program
    expect(await ok(await patch({}))).toEqual(renamed);
    // currency and click parameter may be repeated unchanged (a client sending the whole object back)
    expect(await ok(await patch({ ...renamed, id: undefined, name: "Whole object" }))).toEqual({ ...renamed, name: "Whole object" });
  });

  it("a narrower cookie window applies to conversions from then on", async () => {
    const clickId = await click(t, "anna");
    t.clock.now = T0 + 10 * DAY;
    const before = await ok(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", clickId }), 201);
    expect(before.status).toBe("attributed");
    await ok(await patch({ cookieDays: 7 }));
    const after = await ok(await postConversion(t, f.postbackKey, { orderId: "o2", event: "sale", amount: "10", clickId }), 201);
    expect(after).toMatchObject({ status: "unattributed", reason: "click_expired" });
  });

  it("a new hold applies to commissions created after the change", async () => {
    await ok(await patch({ holdDays: 14 }));
    const created = await ok(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10" }), 201);
    const list = await ok(await t.request(`/api/v1/commissions?programId=${f.program.id}`, { key: f.vendorKey }));
    expect(list.data).toEqual([expect.objectContaining({ id: created.commission.id, status: "pending", availableAt: new Date(T0 + 14 * DAY).toISOString() })]);
  });

  it("removing an allowed domain stops deep links to it at once (cached links are re-read)", async () => {
    await addPartner(t, f.vendorKey, f.program.id, { name: "Deep", email: "deep@example.com" }, { slug: "deep", allowDeepLinks: true });
    const deepTo = async () => new URL((await t.request("/deep?to=https://blog.example.org/post")).headers.get("location")!).host;
    expect(await deepTo()).toBe("blog.example.org");
    await ok(await patch({ allowedDomains: ["shop.example.com"] }));
    expect(await deepTo()).toBe("shop.example.com"); // back to the stored destination
  });

  it("refuses bad values with the error envelope naming the field, and stores nothing", async () => {
    const cases: [unknown, string][] = [
      [{ cookieDays: 0 }, "cookieDays"], [{ cookieDays: 3651 }, "cookieDays"], [{ cookieDays: 1.5 }, "cookieDays"], [{ holdDays: -1 }, "holdDays"],
      [{ attribution: "linear" }, "attribution"], [{ allowedDomains: [] }, "allowedDomains"], [{ allowedDomains: ["shop.example.com", "http://x/y"] }, "allowedDomains.1"],
      [{ minPayout: "10.123" }, "minPayout"], [{ minPayout: "-1" }, "minPayout"], [{ name: "" }, "name"], [{ name: "   " }, "name"],
      [{ currency: "EUR" }, "currency"], [{ clickParam: "ref" }, "clickParam"], [{ cookieDays: "7" }, "cookieDays"],
    ];
    for (const [body, field] of cases) {
      const err = await expectError(await patch({ holdDays: 3, ...(body as object) }), 400, "validation_failed");
      expect(err.details?.map((d) => d.path), JSON.stringify(body)).toContain(field);
    }
    await expectError(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, body: "{", headers: { "content-type": "application/json" } }), 400, "validation_failed");
    expect(await ok(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }))).toMatchObject({ holdDays: 0, cookieDays: 30, currency: "USD" });
  });

  it("is the vendor's own: another vendor gets 404, a partner key is refused, no key is 401", async () => {
    const other = await ok(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json: { name: "Other" } }), 201);
    await expectError(await patch({ name: "Taken over" }, other.apiKey), 404, "not_found");
    await expectError(await patch({ name: "x" }, f.vendorKey, "prg_doesnotexist"), 404, "not_found");
    await expectError(await patch({ name: "Mine now" }, f.partner.apiKey), 403, "forbidden");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", json: { name: "anon" } }), 401, "unauthorized");
    expect((await ok(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }))).name).toBe("Shop");
  });

  it("is in the OpenAPI document", async () => {
    const doc = await ok(await t.request("/api/openapi.json"));
    expect(doc.paths["/api/v1/programs/{id}"].patch.requestBody.content["application/json"].schema.$ref).toBe("#/components/schemas/ProgramUpdate");
  });
});
