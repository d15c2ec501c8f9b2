import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, BROWSER_UA, click, countRows, createFixture, createTestApp, expectError, postConversion, sqlRows, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;

describe("vendor scope", () => {
  let t: TestApp;
  let a: Fixture;
  let b: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    a = await createFixture(t);
    b = await createFixture(t, { partner: { name: "Bea", email: "bea@example.com", coupon: "BEA" }, link: { slug: "bea" } });
  });
  afterEach(async () => { await t.close(); });

  it("another vendor's program is 404", async () => {
    await expectError(await t.request(`/api/v1/programs/${a.program.id}`, { key: b.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${a.program.id}/partners`, { key: b.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${a.program.id}/partners`, { method: "POST", key: b.vendorKey, json: { name: "X", email: "x@example.com" } }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${a.program.id}/rules`, { method: "POST", key: b.vendorKey, json: { event: "sale", type: "percent", value: "90" } }), 404, "not_found");
    expect(await countRows(t, "partners", "program_id = ?", [a.program.id])).toBe(1);
    expect(await countRows(t, "commission_rules", "program_id = ?", [a.program.id])).toBe(1);
    const list = await (await t.request("/api/v1/programs", { key: b.vendorKey })).json();
    expect(list.data.map((p: { id: string }) => p.id)).toEqual([b.program.id]);
  });

  it("another vendor's link is 404 and stays unchanged", async () => {
    await expectError(await t.request(`/api/v1/links/${a.link.id}`, { key: b.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/links/${a.link.id}`, { method: "PATCH", key: b.vendorKey, json: { archived: true } }), 404, "not_found");
    await expectError(await t.request(`/api/v1/links/${a.link.id}`, { method: "PATCH", key: b.vendorKey, json: { destination: "https://shop.example.com/x" } }), 404, "not_found");
    expect(await sqlRows(t, "SELECT archived, destination FROM links WHERE id = ?", [a.link.id])).toEqual([{ archived: 0, destination: "https://shop.example.com/p" }]);
    expect((await t.request("/anna", { headers: { "user-agent": BROWSER_UA } })).status).toBe(302);
  });

  it("cannot create links in another vendor's program or for its partners", async () => {
    const intoA = await t.request("/api/v1/links", { method: "POST", key: b.vendorKey, json: { programId: a.program.id, partnerId: a.partner.id, destination: "https://shop.example.com/" } });
    // ids in a body that name nothing of the caller's are 400 (second round), never another vendor's data
    await expectError(intoA, 400, "validation_failed");
    const foreignPartner = await t.request("/api/v1/links", { method: "POST", key: b.vendorKey, json: { programId: b.program.id, partnerId: a.partner.id, destination: "https://shop.example.com/" } });
    await expectError(foreignPartner, 400, "validation_failed");
    expect(await countRows(t, "links")).toBe(2);
  });

  it("lists only the vendor's own links and commissions, even when filtering by another's ids", async () => {
    expect((await postConversion(t, a.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10" })).status).toBe(201);
    expect((await postConversion(t, b.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "BEA" })).status).toBe(201);
    const links = await (await t.request("/api/v1/links", { key: b.vendorKey })).json();
    expect(links.data.map((l: { id: string }) => l.id)).toEqual([b.link.id]);
    for (const query of [`programId=${a.program.id}`, `partnerId=${a.partner.id}`]) {
      const res = await t.request(`/api/v1/links?${query}`, { key: b.vendorKey });
      if (res.status === 200) expect((await res.json()).data).toEqual([]);
      else await expectError(res, 404, "not_found");
      const com = await t.request(`/api/v1/commissions?${query}`, { key: b.vendorKey });
      if (com.status === 200) expect((await com.json()).data).toEqual([]);
      else await expectError(com, 404, "not_found");
    }
    const mine = await (await t.request("/api/v1/commissions", { key: b.vendorKey })).json();
    expect(mine.data.map((c: { partnerId: string }) => c.partnerId)).toEqual([b.partner.id]);
  });

  it("a program's postback key only reaches its own conversions", async () => {
    expect((await postConversion(t, a.postbackKey, { orderId: "shared", event: "sale", amount: "10" })).status).toBe(201);
    // the same order id in another program is another conversion, not a replay or conflict
    expect((await postConversion(t, b.postbackKey, { orderId: "shared", event: "sale", amount: "99" })).status).toBe(201);
    await expectError(await t.request("/v1/conversions/refund", { method: "POST", key: b.postbackKey, json: { orderId: "o-only-a" } }), 404, "not_found");
    expect(await sqlRows(t, "SELECT amount FROM conversions WHERE program_id = ?", [a.program.id])).toEqual([{ amount: 1000 }]);
  });

  it("a coupon of another program does not attribute", async () => {
    const res = await postConversion(t, b.postbackKey, { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10" });
    expect((await res.json())).toMatchObject({ status: "unattributed", reason: "coupon_unknown" });
  });
});

describe("key kinds", () => {
  let t: TestApp;
  let f: Fixture;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("a partner, postback or public key on vendor endpoints is 403", async () => {
    const vendorCalls: [string, RequestInit & { json?: unknown }][] = [
      ["/api/v1/programs", {}],
      ["/api/v1/programs", { method: "POST", json: { name: "P", allowedDomains: ["a.example"] } }],
      [`/api/v1/programs/${f.program.id}`, {}],
      [`/api/v1/programs/${f.program.id}/partners`, {}],
      [`/api/v1/programs/${f.program.id}/partners`, { method: "POST", json: { name: "X", email: "x@example.com" } }],
      [`/api/v1/programs/${f.program.id}/rules`, { method: "POST", json: { event: "sale", type: "percent", value: "99" } }],
      ["/api/v1/links", {}],
      ["/api/v1/links", { method: "POST", json: { programId: f.program.id, partnerId: f.partner.id, destination: "https://shop.example.com/", allowDeepLinks: true } }],
      [`/api/v1/links/${f.link.id}`, {}],
      [`/api/v1/links/${f.link.id}`, { method: "PATCH", json: { allowDeepLinks: true } }],
      ["/api/v1/commissions", {}],
    ];
    for (const key of [f.partner.apiKey, f.postbackKey, f.publicKey]) {
      for (const [path, init] of vendorCalls) {
        await expectError(await t.request(path, { ...init, key }), 403, "forbidden");
      }
    }
    for (const [path, init] of vendorCalls) await expectError(await t.request(path, init), 401, "unauthorized");
    expect(await countRows(t, "programs")).toBe(1);
    expect(await countRows(t, "partners")).toBe(1);
    expect(await countRows(t, "links")).toBe(1);
    expect(await sqlRows(t, "SELECT allow_deep_links FROM links")).toEqual([{ allow_deep_links: 0 }]);
  });
});

describe("partner scope", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("a partner sees only its own links and commissions", async () => {
    const f = await createFixture(t);
    const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB5" }, { slug: "bob" });
    const other = await createFixture(t, { link: { slug: "elsewhere" } });
    await click(t, "anna");
    await click(t, "bob");
    await t.flushClicks();
    expect((await postConversion(t, f.postbackKey, { orderId: "a1", event: "sale", amount: "100", coupon: "ANNA10" })).status).toBe(201);
    expect((await postConversion(t, f.postbackKey, { orderId: "b1", event: "sale", amount: "50", coupon: "BOB5" })).status).toBe(201);
    expect((await postConversion(t, other.postbackKey, { orderId: "x1", event: "sale", amount: "70", coupon: "ANNA10" })).status).toBe(201);

    const annaLinks = await (await t.request("/api/v1/me/links", { key: f.partner.apiKey })).json();
    expect(annaLinks.data.map((l: { id: string }) => l.id)).toEqual([f.link.id]);
    const bobLinks = await (await t.request("/api/v1/me/links", { key: bob.partner.apiKey })).json();
    expect(bobLinks.data.map((l: { id: string }) => l.id)).toEqual([bob.link!.id]);

    const annaCom = await (await t.request("/api/v1/me/commissions", { key: f.partner.apiKey })).json();
    expect(annaCom.data).toEqual([expect.objectContaining({ partnerId: f.partner.id, amount: "20.00" })]);
    const bobCom = await (await t.request("/api/v1/me/commissions", { key: bob.partner.apiKey })).json();
    expect(bobCom.data).toEqual([expect.objectContaining({ partnerId: bob.partner.id, amount: "10.00" })]);

    const annaMe = await (await t.request("/api/v1/me", { key: f.partner.apiKey })).json();
    expect(annaMe).toMatchObject({ id: f.partner.id, balance: { pending: "20.00" } });
    const otherAnna = await (await t.request("/api/v1/me", { key: other.partner.apiKey })).json();
    expect(otherAnna).toMatchObject({ id: other.partner.id, programId: other.program.id, balance: { pending: "14.00" } });
  });

  it("a partner's new link belongs to it and its program, whatever the body says", async () => {
    const f = await createFixture(t);
    const bob = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com" });
    const other = await createFixture(t, { link: { slug: "elsewhere" } });
    const res = await t.request("/api/v1/me/links", {
      method: "POST", key: bob.partner.apiKey,
      json: { destination: "https://shop.example.com/x", slug: "bobs", partnerId: f.partner.id, programId: other.program.id, allowDeepLinks: true },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ partnerId: bob.partner.id, programId: f.program.id, allowDeepLinks: false });
  });
});
