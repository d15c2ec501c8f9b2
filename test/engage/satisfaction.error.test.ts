import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createFixture, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
let other: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t);
  other = await createFixture(t, { program: { name: "Other" }, partner: { name: "Olga", email: "olga@example.com", coupon: "OLGA" }, link: { slug: "olga" } });
});
afterEach(() => t.close());

const answer = (key: string, json: unknown) => t.request("/api/v1/me/satisfaction", { method: "POST", key, json });

describe("satisfaction: bad input and scope", () => {
  it("a score outside 0–10, not an integer, a string, missing, or a comment over 2000 characters is 400 naming the field", async () => {
    for (const bad of [{ score: 11 }, { score: -1 }, { score: 7.5 }, { score: "7" }, {}, { score: 5, comment: "x".repeat(2001) }, { score: 5, comment: 3 }]) {
      const err = await expectError(await answer(f.partner.apiKey, bad), 400, "validation_failed");
      expect(err.details?.[0]?.path).toMatch(/^(score|comment)$/);
    }
    expect(await countRows(t, "satisfaction_responses")).toBe(0);
    // the limits themselves are fine
    await okJson(await answer(f.partner.apiKey, { score: 0, comment: "x".repeat(2000) }), 201);
    expect(await countRows(t, "satisfaction_responses")).toBe(1);
  });

  it("bad periods are 400", async () => {
    for (const q of ["?from=2026-13-01", "?to=yesterday", "?from=2026-05-02&to=2026-05-01", "?from=2020-01-01&to=2026-01-01"]) {
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/satisfaction${q}`, { key: f.vendorKey }), 400, "validation_failed");
    }
  });

  it("a partner cannot read the manager's summary; a vendor has no /me; another vendor's program is 404 and its answers stay out", async () => {
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/satisfaction`, { key: f.partner.apiKey }), 403, "forbidden");
    await expectError(await answer(f.vendorKey, { score: 5 }), 403, "forbidden");
    await expectError(await t.request("/api/v1/me/satisfaction", { method: "POST", json: { score: 5 } }), 401, "unauthorized");
    await expectError(await t.request(`/api/v1/programs/${other.program.id}/satisfaction`, { key: f.vendorKey }), 404, "not_found");
    const r = await answer(other.partner.apiKey, { score: 1, comment: "theirs" });
    expect(r.status).toBe(201);
    const mine = await (await t.request(`/api/v1/programs/${f.program.id}/satisfaction`, { key: f.vendorKey })).json();
    expect(mine).toMatchObject({ responses: 0, comments: [] });
  });
});
