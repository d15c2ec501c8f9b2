import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createFixture, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";

// A public suffix in allowedDomains would let a partner's link send visitors to any site under
// it (".com" is every .com site; ".github.io" is every GitHub Pages site).
describe("allowedDomains refuses public suffixes", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const SUFFIXES = ["com", ".com", "co.uk", ".co.uk", ".github.io"];

  it("POST /api/v1/programs: 400 naming the entry, nothing created", async () => {
    const before = await countRows(t, "programs");
    for (const entry of SUFFIXES) {
      const res = await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Wide", allowedDomains: ["shop.example.com", entry] } });
      const err = await expectError(res, 400, "validation_failed");
      expect(err.details?.[0]?.path, entry).toBe("allowedDomains.1");
    }
    expect(await countRows(t, "programs")).toBe(before);
    const ok = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Fine", allowedDomains: ["localhost", ".me.github.io", ".example.co.uk"] } }), 201);
    expect(ok.allowedDomains).toEqual(["localhost", ".me.github.io", ".example.co.uk"]);
  });

  it("PATCH /api/v1/programs/:id: 400, the stored domains unchanged, and a link to anywhere under .com stays refused", async () => {
    for (const entry of SUFFIXES) {
      const res = await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { allowedDomains: [entry] } });
      const err = await expectError(res, 400, "validation_failed");
      expect(err.details?.[0]?.path, entry).toBe("allowedDomains.0");
    }
    const program = await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { key: f.vendorKey }));
    expect(program.allowedDomains).toEqual(["shop.example.com", ".example.org"]);
    const link = await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://evil.com/" } });
    await expectError(link, 400, "validation_failed");
  });
});
