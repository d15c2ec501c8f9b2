import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, expectError, okJson, type TestApp } from "../helpers/app";

// `?q=` on GET /api/v1/programs/:id/partners and GET /api/v1/links: any case, a substring of
// name, email, coupon (partners) or slug, destination, partner name or email (links); paged.

describe("API search with q", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    await addPartner(t, f.vendorKey, f.program.id, { name: "Bruno Outdoors", email: "bruno@trail.example", coupon: "BRU_50" }, { slug: "bruno-tents", destination: "https://shop.example.com/tents" });
    await addPartner(t, f.vendorKey, f.program.id, { name: "Cara 100%", email: "cara@example.com" }, { slug: "cara-x" });
  });
  afterEach(async () => { await t.close(); });

  const partners = async (q: string, extra = "") => (await okJson(await t.request(`/api/v1/programs/${f.program.id}/partners?q=${encodeURIComponent(q)}${extra}`, { key: f.vendorKey })));
  const links = async (q: string) => (await okJson(await t.request(`/api/v1/links?programId=${f.program.id}&q=${encodeURIComponent(q)}`, { key: f.vendorKey }))).data.map((l: { slug: string }) => l.slug);

  it("finds partners by name, email or coupon whatever the case", async () => {
    expect((await partners("bruno")).data.map((p: { name: string }) => p.name)).toEqual(["Bruno Outdoors"]);
    expect((await partners("TRAIL.EX")).data).toHaveLength(1);
    expect((await partners("bru_5")).data).toHaveLength(1);
    expect((await partners("")).data).toHaveLength(3);
    expect((await partners("zzz")).data).toEqual([]);
  });

  it("treats % and _ literally", async () => {
    expect((await partners("100%")).data.map((p: { name: string }) => p.name)).toEqual(["Cara 100%"]);
    expect((await partners("%")).data).toHaveLength(1);
    expect((await partners("u_5")).data).toHaveLength(1);
    expect((await partners("_")).data).toHaveLength(1); // only BRU_50 holds an underscore
  });

  it("pages a search", async () => {
    const first = await partners("example", "&limit=2");
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await partners("example", `&limit=2&cursor=${first.nextCursor}`);
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });

  it("finds links by slug, destination, or their partner's name or email", async () => {
    expect(await links("BRUNO-T")).toEqual(["bruno-tents"]);
    expect(await links("/tents")).toEqual(["bruno-tents"]);
    expect(await links("anna@")).toEqual(["anna"]);
    expect(await links("cara 100")).toEqual(["cara-x"]);
    expect((await links("")).length).toBe(3);
  });

  it("refuses a search over 200 characters, documents q, and never finds another vendor's links", async () => {
    await expectError(await t.request(`/api/v1/links?q=${"a".repeat(201)}`, { key: f.vendorKey }), 400, "validation_failed");
    const other = await createFixture(t, { link: { slug: "anna-other" } });
    expect(await links("anna")).toEqual(["anna"]);
    const theirs = (await okJson(await t.request("/api/v1/links?q=anna", { key: other.vendorKey }))).data.map((l: { slug: string }) => l.slug);
    expect(theirs).toEqual(["anna-other"]);
    const spec = await okJson(await t.request("/api/openapi.json"));
    const params = (path: string) => (spec.paths[path].get.parameters as { name: string }[]).map((p) => p.name);
    expect(params("/api/v1/links")).toContain("q");
    expect(params("/api/v1/programs/{id}/partners")).toContain("q");
  });
});
