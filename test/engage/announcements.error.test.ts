import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countRows, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";
import { engageFixture } from "./fixture";

let t: TestApp;
let f: Awaited<ReturnType<typeof engageFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await engageFixture(t);
});
afterEach(() => t.close());

describe("announcements: bad input", () => {
  it("refuses a missing title, an empty body, a too long text, an empty or malformed tier list, in the envelope, and writes nothing", async () => {
    const missingTitle = await expectError(await f.announce({ body: "x" }), 400, "validation_failed");
    expect(missingTitle.details?.[0]?.path).toBe("title");
    await expectError(await f.announce({ title: "  ", body: "x" }), 400, "validation_failed");
    await expectError(await f.announce({ title: "T", body: "" }), 400, "validation_failed");
    await expectError(await f.announce({ title: "T".repeat(201), body: "x" }), 400, "validation_failed");
    await expectError(await f.announce({ title: "T", body: "x".repeat(20_001) }), 400, "validation_failed");
    await expectError(await f.announce({ title: "T", body: "x", tierIds: [] }), 400, "validation_failed");
    await expectError(await f.announce({ title: "T", body: "x", tierIds: "all" }), 400, "validation_failed");
    const bad = await t.request(`/api/v1/programs/${f.program.id}/announcements`, { method: "POST", key: f.vendorKey, body: "{not json", headers: { "content-type": "application/json" } });
    await expectError(bad, 400, "validation_failed");
    expect(await countRows(t, "announcements")).toBe(0);
    expect(await countRows(t, "mails", "kind = 'announcement'")).toBe(0);
  });

  it("an unknown tier is 400 naming it, and nothing is published or mailed", async () => {
    const err = await expectError(await f.announce({ title: "T", body: "x", tierIds: [f.tierA, "tier_nope"] }), 400, "validation_failed");
    expect(err.details).toEqual([{ path: "tierIds.1", message: expect.stringContaining("tier_nope") }]);
    expect(await countRows(t, "announcements")).toBe(0);
    expect(await countRows(t, "events", "type = 'announcement.published'")).toBe(0);
  });

  it("unknown announcement, bad cursor limit and bad filter are clear errors", async () => {
    await expectError(await f.read(f.anna.apiKey, "ann_missing"), 404, "not_found");
    await expectError(await t.request("/api/v1/me/announcements?limit=0", { key: f.anna.apiKey }), 400, "validation_failed");
    await expectError(await t.request("/api/v1/me/announcements?unread=yes", { key: f.anna.apiKey }), 400, "validation_failed");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/announcements?limit=500`, { key: f.vendorKey }), 400, "validation_failed");
  });

  it("every new route is in the OpenAPI document, with the error envelope for bad input", async () => {
    const doc = await okJson(await t.request("/api/openapi.json"));
    const ops = doc.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    for (const [method, path] of [
      ["post", "/api/v1/programs/{id}/announcements"], ["get", "/api/v1/programs/{id}/announcements"], ["get", "/api/v1/me/announcements"],
      ["post", "/api/v1/me/announcements/{id}/read"], ["post", "/api/v1/me/satisfaction"], ["get", "/api/v1/programs/{id}/satisfaction"],
    ] as const) {
      const op = ops[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.responses["400"]?.content?.["application/json"]?.schema.$ref).toBe("#/components/schemas/Error");
    }
    expect(ops["/api/v1/me/satisfaction"]!.post!.responses["409"]).toBeDefined();
  });
});
