import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, okJson, type TestApp } from "../helpers/app";

// Outside systems read the served OpenAPI document to learn the API: every route of the public
// API (/api/v1, /v1) must be in it, with its method. Routes are read from the app itself, so a
// route added without its OpenAPI definition fails here.
describe("the OpenAPI document", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("lists every public API route the app serves, with its method", async () => {
    const spec = await okJson(await t.request("/api/openapi.json"));
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(spec.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`);
    }
    const served = new Set(
      t.app.routes
        .filter((r) => /^\/(api\/v1|v1)\//.test(r.path) && r.method !== "ALL" && r.method !== "OPTIONS")
        .map((r) => `${r.method} ${r.path}`),
    );
    expect(served.size).toBeGreaterThan(50); // the route table was read
    const missing = [...served].filter((r) => !documented.has(r)).sort();
    expect(missing).toEqual([]);
  });
});
