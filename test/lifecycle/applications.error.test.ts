import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFixture, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t, { program: { name: "Acme Shop" } });
  await okJson(await t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json: { applications: { questions: [{ id: "site", label: "Where will you promote us?", required: true }, { id: "size", label: "Audience size", required: false }] } } }));
});
afterEach(() => t.close());

const apply = (json: Record<string, unknown>, key = f.publicKey) => t.request("/v1/applications", { method: "POST", key, json });

describe("applications: errors", () => {
  it("a missing required question is 400 naming it", async () => {
    const err = await expectError(await apply({ name: "A", email: "a@example.net", answers: { size: "10" } }), 400, "validation_failed");
    expect(err.details).toEqual([{ path: "answers.site", message: expect.stringContaining("Where will you promote us?") }]);
  });

  it("bad fields are 400 naming them", async () => {
    for (const [body, path] of [
      [{ email: "a@example.net" }, "name"], [{ name: "A", email: "nope" }, "email"], [{ name: "A", email: "a@example.net", country: "XX" }, "country"],
      [{ name: "A", email: "a@example.net", country: "DEU" }, "country"], [{ name: "A", email: "a@example.net", source: "s".repeat(65) }, "source"],
      [{ name: "A", email: "a@example.net", website: "javascript:alert(1)" }, "website"], [{ name: "A", email: "a@example.net", referredBy: "ptn_nobody" }, "referredBy"],
    ] as const) {
      const err = await expectError(await apply({ answers: { site: "x" }, ...body }), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe(path);
    }
  });

  it("an email (any case) with an application or a partner in the program is 409", async () => {
    await okJson(await apply({ name: "A", email: "a@example.net", answers: { site: "x" } }), 201);
    await expectError(await apply({ name: "A", email: "A@EXAMPLE.NET", answers: { site: "x" } }), 409, "conflict");
    await expectError(await apply({ name: "Anna", email: "Anna@Example.com", answers: { site: "x" } }), 409, "conflict");
  });

  it("a decided application is 409 on approve and on reject", async () => {
    const a = await okJson(await apply({ name: "A", email: "a@example.net", answers: { site: "x" } }), 201);
    await okJson(await t.request(`/api/v1/applications/${a.id}/approve`, { method: "POST", key: f.vendorKey }));
    await expectError(await t.request(`/api/v1/applications/${a.id}/approve`, { method: "POST", key: f.vendorKey }), 409, "conflict");
    await expectError(await t.request(`/api/v1/applications/${a.id}/reject`, { method: "POST", key: f.vendorKey, json: {} }), 409, "conflict");
    const b = await okJson(await apply({ name: "B", email: "b@example.net", answers: { site: "x" } }), 201);
    await okJson(await t.request(`/api/v1/applications/${b.id}/reject`, { method: "POST", key: f.vendorKey, json: { reason: "no" } }));
    await expectError(await t.request(`/api/v1/applications/${b.id}/approve`, { method: "POST", key: f.vendorKey }), 409, "conflict");
  });

  it("keys of the wrong kind are 403; a missing one 401; a closed form 404; bad handles and settings 400; a taken handle 409", async () => {
    await expectError(await apply({ name: "A", email: "a@example.net" }, f.postbackKey), 403, "forbidden");
    await expectError(await apply({ name: "A", email: "a@example.net" }, f.vendorKey), 403, "forbidden");
    await expectError(await t.request("/v1/applications", { method: "POST", json: { name: "A", email: "a@example.net" } }), 401, "unauthorized");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/applications`, { key: f.publicKey }), 403, "forbidden");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/applications?status=maybe`, { key: f.vendorKey }), 400, "validation_failed");
    const patch = (json: unknown) => t.request(`/api/v1/programs/${f.program.id}`, { method: "PATCH", key: f.vendorKey, json });
    await expectError(await patch({ handle: "No Spaces" }), 400, "validation_failed");
    await expectError(await patch({ handle: "ab" }), 400, "validation_failed");
    await expectError(await patch({ applications: { autoApprove: [{ field: "country", op: "is", values: ["Germany"] }] } }), 400, "validation_failed");
    await expectError(await patch({ applications: { questions: [{ id: "a", label: "A" }, { id: "a", label: "B" }] } }), 400, "validation_failed");
    const other = await okJson(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Two", allowedDomains: ["shop.example.com"] } }), 201);
    await expectError(await t.request(`/api/v1/programs/${other.id}`, { method: "PATCH", key: f.vendorKey, json: { handle: "acme-shop" } }), 409, "conflict");
    await expectError(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Three", handle: "acme-shop", allowedDomains: ["shop.example.com"] } }), 409, "conflict");
    await okJson(await patch({ applications: { enabled: false } }));
    await expectError(await apply({ name: "A", email: "a@example.net", answers: { site: "x" } }), 404, "not_found");
  });
});

describe("applications: security", () => {
  it("another vendor's application and program are 404; a public key applies only to its own program", async () => {
    const other = await createFixture(t, { program: { name: "Other" }, partner: { email: "o@example.com", coupon: "OTH" }, link: { slug: "other" } });
    const theirs = await okJson(await t.request("/v1/applications", { method: "POST", key: other.publicKey, json: { name: "Z", email: "z@example.net" } }), 201);
    expect(theirs.programId).toBe(other.program.id);
    for (const path of [`/api/v1/applications/${theirs.id}`]) await expectError(await t.request(path, { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/applications/${theirs.id}/approve`, { method: "POST", key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/applications/${theirs.id}/reject`, { method: "POST", key: f.vendorKey, json: {} }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${other.program.id}/applications`, { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${other.program.id}/kpis`, { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/partners/${other.partner.id}`, { key: f.vendorKey }), 404, "not_found");
    // a referrer must be a partner of the key's program, not of another one
    await expectError(await apply({ name: "R", email: "r@example.net", answers: { site: "x" }, referredBy: other.partner.id }), 400, "validation_failed");
    const still = await okJson(await t.request(`/api/v1/applications/${theirs.id}`, { key: other.vendorKey }));
    expect(still.status).toBe("pending");
  });

  it("every lifecycle route is in the OpenAPI document", async () => {
    const doc = await okJson(await t.request("/api/openapi.json"));
    const paths = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const route of [
      "POST /v1/applications", "GET /api/v1/programs/{id}/applications", "GET /api/v1/applications/{id}", "POST /api/v1/applications/{id}/approve",
      "POST /api/v1/applications/{id}/reject", "GET /api/v1/partners/{id}", "PATCH /api/v1/partners/{id}", "POST /api/v1/programs/{id}/agreements",
      "GET /api/v1/programs/{id}/agreements", "GET /api/v1/agreements/{id}", "GET /api/v1/me/agreement", "POST /api/v1/me/agreement/accept", "GET /api/v1/programs/{id}/kpis",
    ]) expect(paths).toContain(route);
  });
});
