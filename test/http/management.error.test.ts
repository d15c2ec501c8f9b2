import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, countRows, createFixture, createTestApp, expectError, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("operator endpoints", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("POST /api/v1/vendors: 401 without or with an unknown key, 403 for other kinds, 400 for a bad body", async () => {
    const before = await countRows(t, "vendors");
    await expectError(await t.request("/api/v1/vendors", { method: "POST", json: { name: "X" } }), 401, "unauthorized");
    await expectError(await t.request("/api/v1/vendors", { method: "POST", key: "afx_sk_unknown000000000000000000000000", json: { name: "X" } }), 401, "unauthorized");
    await expectError(await t.request("/api/v1/vendors", { method: "POST", key: `${ADMIN_KEY}x`, json: { name: "X" } }), 401, "unauthorized");
    for (const key of [f.vendorKey, f.partner.apiKey, f.postbackKey, f.publicKey]) {
      await expectError(await t.request("/api/v1/vendors", { method: "POST", key, json: { name: "X" } }), 403, "forbidden");
    }
    for (const json of [{}, { name: "" }, { name: 5 }, { name: "x".repeat(201) }]) {
      const err = await expectError(await t.request("/api/v1/vendors", { method: "POST", key: ADMIN_KEY, json }), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe("name");
    }
    expect(await countRows(t, "vendors")).toBe(before);
  });

  it("the operator key is not a vendor key", async () => {
    await expectError(await t.request("/api/v1/programs", { key: ADMIN_KEY }), 403, "forbidden");
  });
});

describe("programs: validation", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const base = { name: "P", allowedDomains: ["shop.example.com"] };
  const cases: [string, Record<string, unknown>, string][] = [
    ["missing name", { allowedDomains: ["a.example"] }, "name"],
    ["cookieDays 0", { ...base, cookieDays: 0 }, "cookieDays"],
    ["cookieDays 3651", { ...base, cookieDays: 3651 }, "cookieDays"],
    ["cookieDays 1.5", { ...base, cookieDays: 1.5 }, "cookieDays"],
    ["cookieDays as string", { ...base, cookieDays: "30" }, "cookieDays"],
    ["holdDays -1", { ...base, holdDays: -1 }, "holdDays"],
    ["holdDays 366", { ...base, holdDays: 366 }, "holdDays"],
    ["unknown attribution", { ...base, attribution: "linear" }, "attribution"],
    ["missing allowedDomains", { name: "P" }, "allowedDomains"],
    ["empty allowedDomains", { ...base, allowedDomains: [] }, "allowedDomains"],
    ["allowedDomains entry with a space", { ...base, allowedDomains: ["shop.example.com", "bad domain"] }, "allowedDomains.1"],
    ["allowedDomains entry with a scheme", { ...base, allowedDomains: ["https://shop.example.com"] }, "allowedDomains.0"],
    ["allowedDomains entry with a path", { ...base, allowedDomains: ["shop.example.com/x"] }, "allowedDomains.0"],
    ["allowedDomains wildcard", { ...base, allowedDomains: ["*.example.com"] }, "allowedDomains.0"],
    ["allowedDomains IP suffix", { ...base, allowedDomains: [".127.0.0.1"] }, "allowedDomains.0"],
    ["allowedDomains lone dot", { ...base, allowedDomains: ["."] }, "allowedDomains.0"],
    ["unknown currency", { ...base, currency: "XYZ" }, "currency"],
    ["lower-case currency", { ...base, currency: "usd" }, "currency"],
    ["minPayout with 3 decimals in USD", { ...base, minPayout: "50.001" }, "minPayout"],
    ["minPayout with decimals in JPY", { ...base, currency: "JPY", minPayout: "50.5" }, "minPayout"],
    ["negative minPayout", { ...base, minPayout: "-1" }, "minPayout"],
    ["clickParam with a space", { ...base, clickParam: "a b" }, "clickParam"],
    ["clickParam with &", { ...base, clickParam: "a&b" }, "clickParam"],
  ];
  for (const [name, json, path] of cases) {
    it(`400 for ${name}`, async () => {
      const before = await countRows(t, "programs");
      const err = await expectError(await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json }), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe(path);
      expect(await countRows(t, "programs")).toBe(before);
    });
  }

  it("404 for an unknown program", async () => {
    await expectError(await t.request("/api/v1/programs/prg_nope", { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request("/api/v1/programs/prg_nope/partners", { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request("/api/v1/programs/prg_nope/partners", { method: "POST", key: f.vendorKey, json: { name: "A", email: "a@example.com" } }), 404, "not_found");
    await expectError(await t.request("/api/v1/programs/prg_nope/rules", { method: "POST", key: f.vendorKey, json: { event: "sale", type: "flat", value: "1" } }), 404, "not_found");
  });

  it("400 for a limit out of range", async () => {
    for (const limit of ["0", "101", "abc", "-1"]) {
      await expectError(await t.request(`/api/v1/programs?limit=${limit}`, { key: f.vendorKey }), 400, "validation_failed");
    }
  });
});

describe("partners: validation and coupon uniqueness", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("409 for a coupon already used in the program, whatever its case", async () => {
    const before = await countRows(t, "partners");
    for (const coupon of ["ANNA10", "anna10", "Anna10"]) {
      await expectError(await t.request(`/api/v1/programs/${f.program.id}/partners`, { method: "POST", key: f.vendorKey, json: { name: "Eve", email: "eve@example.com", coupon } }), 409, "conflict");
    }
    expect(await countRows(t, "partners")).toBe(before);
    expect(await countRows(t, "api_keys", "kind = 'partner'")).toBe(1);
  });

  it("400 for bad partner fields", async () => {
    const url = `/api/v1/programs/${f.program.id}/partners`;
    const cases: [Record<string, unknown>, string][] = [
      [{ email: "a@example.com" }, "name"],
      [{ name: "", email: "a@example.com" }, "name"],
      [{ name: "A" }, "email"],
      [{ name: "A", email: "not-an-email" }, "email"],
      [{ name: "A", email: "a@example.com", coupon: "has space" }, "coupon"],
      [{ name: "A", email: "a@example.com", coupon: "x" }, "coupon"],
    ];
    for (const [json, path] of cases) {
      const err = await expectError(await t.request(url, { method: "POST", key: f.vendorKey, json }), 400, "validation_failed");
      expect(err.details?.[0]?.path, JSON.stringify(json)).toBe(path);
    }
  });
});

describe("links: validation", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const post = (json: Record<string, unknown>) =>
    t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/", ...json } });

  it("409 for a taken slug", async () => {
    await expectError(await post({ slug: "anna" }), 409, "conflict");
    await expectError(await t.request("/api/v1/me/links", { method: "POST", key: f.partner.apiKey, json: { destination: "https://shop.example.com/", slug: "anna" } }), 409, "conflict");
    expect(await countRows(t, "links")).toBe(1);
  });

  it("400 for malformed slugs", async () => {
    for (const slug of ["ab", "", "a b", "a/b", "a.b", "ä-slug", "x".repeat(65), "slug!", "a%20b"]) {
      const err = await expectError(await post({ slug }), 400, "validation_failed");
      expect(err.details?.[0]?.path, slug).toBe("slug");
    }
    expect(await countRows(t, "links")).toBe(1);
    // the edges of the pattern are fine
    expect((await post({ slug: "a_-" })).status).toBe(201);
    expect((await post({ slug: "Z".repeat(64) })).status).toBe(201);
  });

  it("400 for destinations that are not http(s) or whose host is not allowed", async () => {
    const bad = [
      "ftp://shop.example.com/", "javascript:alert(1)", "mailto:a@shop.example.com", "data:text/html,hi", "/relative/path", "shop.example.com/p", "",
      "https://evil.com/", "https://shop.example.com.evil.com/", "https://example.com/", "https://evilexample.org/",
      "https://shop.example.com@evil.com/", "https://user:pass@shop.example.com/",
    ];
    for (const destination of bad) {
      const err = await expectError(await post({ destination }), 400, "validation_failed");
      expect(err.details?.[0]?.path, destination).toBe("destination");
    }
    const patch = await t.request(`/api/v1/links/${f.link.id}`, { method: "PATCH", key: f.vendorKey, json: { destination: "https://evil.com/" } });
    expect((await expectError(patch, 400, "validation_failed")).details?.[0]?.path).toBe("destination");
    const meLink = await t.request("/api/v1/me/links", { method: "POST", key: f.partner.apiKey, json: { destination: "https://evil.com/" } });
    expect((await expectError(meLink, 400, "validation_failed")).details?.[0]?.path).toBe("destination");
    expect(await countRows(t, "links")).toBe(1);
    const [row] = (await t.client.execute("SELECT destination FROM links")).rows;
    expect(row?.[0]).toBe("https://shop.example.com/p");
  });

  it("400 for missing or mistyped fields", async () => {
    const noDest = await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, json: { programId: f.program.id, partnerId: f.partner.id } });
    expect((await expectError(noDest, 400, "validation_failed")).details?.[0]?.path).toBe("destination");
    expect((await expectError(await post({ allowDeepLinks: "yes" }), 400, "validation_failed")).details?.[0]?.path).toBe("allowDeepLinks");
    const patch = await t.request(`/api/v1/links/${f.link.id}`, { method: "PATCH", key: f.vendorKey, json: { archived: "true" } });
    expect((await expectError(patch, 400, "validation_failed")).details?.[0]?.path).toBe("archived");
  });

  it("400 for an unknown program or partner in the body, 404 for an unknown link in the path", async () => {
    await expectError(await post({ programId: "prg_nope" }), 400, "validation_failed");
    await expectError(await post({ partnerId: "ptn_nope" }), 400, "validation_failed");
    await expectError(await t.request("/api/v1/links/lnk_nope", { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request("/api/v1/links/lnk_nope", { method: "PATCH", key: f.vendorKey, json: { archived: true } }), 404, "not_found");
  });

  it("400 for a partner of another program of the same vendor", async () => {
    const other = await (await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["shop.example.com"] } })).json();
    await expectError(await post({ programId: other.id }), 400, "validation_failed");
    expect(await countRows(t, "links")).toBe(1);
  });
});

describe("rules: validation", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("400 for bad percent and flat values, unknown kinds and tiers", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ event: "sale", type: "percent", value: "100.01" }, "value"],
      [{ event: "sale", type: "percent", value: "-1" }, "value"],
      [{ event: "sale", type: "percent", value: "12.00001" }, "value"],
      [{ event: "sale", type: "percent", value: "ten" }, "value"],
      [{ event: "sale", type: "flat", value: "5.001" }, "value"],
      [{ event: "sale", type: "flat", value: "-5" }, "value"],
      [{ event: "sale", type: "flat" }, "value"],
      [{ event: "sale", type: "bonus", value: "5" }, "type"],
      [{ event: "click", type: "flat", value: "5" }, "event"],
      [{ event: "sale", type: "flat", value: "5", tierId: "tier_nope" }, "tierId"],
    ];
    const before = await countRows(t, "commission_rules");
    for (const [json, path] of cases) {
      const err = await expectError(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json }), 400, "validation_failed");
      expect(err.details?.[0]?.path, JSON.stringify(json)).toBe(path);
    }
    // a tier of another program is no tier of this one
    const other = await (await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "Other", allowedDomains: ["a.example"] } })).json();
    const err = await expectError(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "sale", type: "flat", value: "5", tierId: other.entryTierId } }), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("tierId");
    expect(await countRows(t, "commission_rules")).toBe(before);
  });

  it("400 for a flat value with decimals in a JPY program", async () => {
    const jpy = await createFixture(t, { program: { currency: "JPY", minPayout: "5000" }, link: { slug: "jpy-link" } });
    const err = await expectError(await t.request(`/api/v1/programs/${jpy.program.id}/rules`, { method: "POST", key: jpy.vendorKey, json: { event: "lead", type: "flat", value: "5.5" } }), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("value");
  });
});

describe("commissions and /me: errors", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("400 for an unknown status filter", async () => {
    const err = await expectError(await t.request("/api/v1/commissions?status=open", { key: f.vendorKey }), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("status");
    await expectError(await t.request("/api/v1/me/commissions?status=open", { key: f.partner.apiKey }), 400, "validation_failed");
  });

  it("/me endpoints need a partner key", async () => {
    for (const path of ["/api/v1/me", "/api/v1/me/links", "/api/v1/me/commissions"]) {
      await expectError(await t.request(path), 401, "unauthorized");
      await expectError(await t.request(path, { key: "afx_pk_unknown0000000000000000000000" }), 401, "unauthorized");
      for (const key of [f.vendorKey, f.postbackKey, f.publicKey, ADMIN_KEY]) await expectError(await t.request(path, { key }), 403, "forbidden");
    }
    await expectError(await t.request("/api/v1/me/links", { method: "POST", key: f.vendorKey, json: { destination: "https://shop.example.com/" } }), 403, "forbidden");
  });

  it("answers malformed JSON and oversized bodies on /api with the envelope", async () => {
    const bad = await t.request("/api/v1/links", { method: "POST", key: f.vendorKey, headers: { "content-type": "application/json" }, body: "{nope" });
    await expectError(bad, 400, "validation_failed");
    const big = await t.request("/api/v1/programs", { method: "POST", key: f.vendorKey, json: { name: "x", allowedDomains: ["a.example"], pad: "y".repeat(65 * 1024) } });
    await expectError(big, 413, "payload_too_large");
  });
});
