import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, countRows, createFixture, createTestApp, expectError, postConversion, sqlRows, type TestApp } from "../helpers/app";

describe("POST /v1/conversions: conflicts", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(async () => { await t.close(); });

  it("answers 409 for the same order with another amount and changes nothing", async () => {
    const f = await createFixture(t);
    const first = await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "49.99", coupon: "ANNA10" });
    expect(first.status).toBe(201);
    const snapshot = async () => [await sqlRows(t, "SELECT * FROM conversions"), await sqlRows(t, "SELECT * FROM commissions")];
    const before = await snapshot();
    await expectError(await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "50.00", coupon: "ANNA10" }), 409, "conflict");
    await expectError(await t.request(`/v1/postback?key=${f.postbackKey}&order=o1&event=sale&amount=1`), 409, "conflict");
    expect(await snapshot()).toEqual(before);
  });

  it("refuses the same order in another currency (any currency but the program's is 400) and changes nothing", async () => {
    const f = await createFixture(t);
    expect((await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "49.99", currency: "USD" })).status).toBe(201);
    const before = await sqlRows(t, "SELECT * FROM conversions");
    const res = await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "49.99", currency: "EUR" });
    expect([400, 409]).toContain(res.status);
    await expectError(res, res.status, res.status === 400 ? "validation_failed" : "conflict");
    expect(await sqlRows(t, "SELECT * FROM conversions")).toEqual(before);
  });
});

describe("POST /v1/conversions: validation", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  const cases: [name: string, body: Record<string, unknown>, path: string][] = [
    ["missing orderId", { event: "sale", amount: "10" }, "orderId"],
    ["empty orderId", { orderId: "", event: "sale", amount: "10" }, "orderId"],
    ["orderId over 200 chars", { orderId: "x".repeat(201), event: "sale", amount: "10" }, "orderId"],
    ["missing event", { orderId: "o1", amount: "10" }, "event"],
    ["unknown event", { orderId: "o1", event: "refund", amount: "10" }, "event"],
    ["sale without amount", { orderId: "o1", event: "sale" }, "amount"],
    ["sale with amount 0", { orderId: "o1", event: "sale", amount: "0" }, "amount"],
    ["sale with amount 0 as number", { orderId: "o1", event: "sale", amount: 0 }, "amount"],
    ["negative sale", { orderId: "o1", event: "sale", amount: "-5.00" }, "amount"],
    ["negative lead", { orderId: "o1", event: "lead", amount: -1 }, "amount"],
    ["three decimals in USD", { orderId: "o1", event: "sale", amount: "49.999" }, "amount"],
    ["three decimals in USD as number", { orderId: "o1", event: "sale", amount: 49.999 }, "amount"],
    ["not a number", { orderId: "o1", event: "sale", amount: "12abc" }, "amount"],
    ["exponent notation", { orderId: "o1", event: "sale", amount: "1e3" }, "amount"],
    ["amount as object", { orderId: "o1", event: "sale", amount: { value: 1 } }, "amount"],
    ["unknown currency", { orderId: "o1", event: "sale", amount: "10", currency: "XYZ" }, "currency"],
    ["lower-case currency", { orderId: "o1", event: "sale", amount: "10", currency: "usd" }, "currency"],
    ["currency other than the program's", { orderId: "o1", event: "sale", amount: "10", currency: "EUR" }, "currency"],
    ["occurredAt not ISO", { orderId: "o1", event: "sale", amount: "10", occurredAt: "yesterday" }, "occurredAt"],
  ];

  for (const [name, body, path] of cases) {
    it(`400 for ${name}`, async () => {
      const err = await expectError(await postConversion(t, f.postbackKey, body), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe(path);
      expect(typeof err.details?.[0]?.message).toBe("string");
      expect(await countRows(t, "conversions")).toBe(0);
    });
  }

  it("400 for a decimal in a JPY program", async () => {
    const jpy = await createFixture(t, { program: { currency: "JPY", minPayout: "5000" }, link: { slug: "jpy-link" } });
    const err = await expectError(await postConversion(t, jpy.postbackKey, { orderId: "o1", event: "sale", amount: "1.5" }), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("amount");
    const usd = await expectError(await postConversion(t, jpy.postbackKey, { orderId: "o1", event: "sale", amount: "15", currency: "USD" }), 400, "validation_failed");
    expect(usd.details?.[0]?.path).toBe("currency");
    expect((await postConversion(t, jpy.postbackKey, { orderId: "o1", event: "sale", amount: "1500" })).status).toBe(201);
  });

  it("accepts a lead with amount 0 or none", async () => {
    expect((await postConversion(t, f.postbackKey, { orderId: "l1", event: "lead", amount: "0" })).status).toBe(201);
    expect((await postConversion(t, f.postbackKey, { orderId: "l2", event: "lead" })).status).toBe(201);
  });

  it("400 validation_failed for malformed JSON", async () => {
    for (const body of ["{", "not json", '{"orderId": "o1",}', ""]) {
      const res = await t.request("/v1/conversions", { method: "POST", key: f.postbackKey, headers: { "content-type": "application/json" }, body });
      await expectError(res, 400, "validation_failed");
    }
    const array = await t.request("/v1/conversions", { method: "POST", key: f.postbackKey, json: [1, 2] });
    await expectError(array, 400, "validation_failed");
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("413 payload_too_large for a body over 64 KiB", async () => {
    const body = JSON.stringify({ orderId: "o1", event: "sale", amount: "10", pad: "x".repeat(64 * 1024) });
    const res = await t.request("/v1/conversions", { method: "POST", key: f.postbackKey, headers: { "content-type": "application/json" }, body });
    await expectError(res, 413, "payload_too_large");
    const declared = await t.request("/v1/conversions", { method: "POST", key: f.postbackKey, headers: { "content-type": "application/json", "content-length": String(body.length) }, body });
    await expectError(declared, 413, "payload_too_large");
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("ignores unknown fields, also in a body just under 64 KiB", async () => {
    const json = { orderId: "o1", event: "sale", amount: "10", coupon: "ANNA10", extra: { nested: true }, pad: "x".repeat(60 * 1024) };
    const res = await postConversion(t, f.postbackKey, json);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).not.toHaveProperty("extra");
    expect(body).not.toHaveProperty("pad");
    expect(body.status).toBe("attributed");
  });

  it("GET /v1/postback validates like the POST", async () => {
    const base = `/v1/postback?key=${f.postbackKey}`;
    expect((await expectError(await t.request(`${base}&event=sale&amount=10`), 400, "validation_failed")).details?.[0]?.path).toBe("order");
    expect((await expectError(await t.request(`${base}&order=o1&event=sale&amount=49.999`), 400, "validation_failed")).details?.[0]?.path).toBe("amount");
    expect((await expectError(await t.request(`${base}&order=o1&event=sale`), 400, "validation_failed")).details?.[0]?.path).toBe("amount");
    expect((await expectError(await t.request(`${base}&order=o1&event=sale&amount=10&currency=GBP`), 400, "validation_failed")).details?.[0]?.path).toBe("currency");
    expect(await countRows(t, "conversions")).toBe(0);
  });
});

describe("/v1 auth", () => {
  let t: TestApp;
  let f: Awaited<ReturnType<typeof createFixture>>;
  const body = { orderId: "o1", event: "sale", amount: "10" };
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
  });
  afterEach(async () => { await t.close(); });

  it("401 without a key or with an unknown one", async () => {
    await expectError(await t.request("/v1/conversions", { method: "POST", json: body }), 401, "unauthorized");
    await expectError(await postConversion(t, "afx_pb_doesnotexist000000000000000000", body), 401, "unauthorized");
    await expectError(await postConversion(t, `${f.postbackKey}x`, body), 401, "unauthorized");
    await expectError(await t.request("/v1/conversions", { method: "POST", json: body, headers: { authorization: `Basic ${f.postbackKey}` } }), 401, "unauthorized");
    await expectError(await t.request("/v1/postback?order=o1&event=sale&amount=10"), 401, "unauthorized");
    await expectError(await t.request("/v1/postback?key=afx_pb_nope&order=o1&event=sale&amount=10"), 401, "unauthorized");
    await expectError(await t.request("/v1/conversions/refund", { method: "POST", json: { orderId: "o1" } }), 401, "unauthorized");
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("403 for keys of another kind", async () => {
    for (const key of [f.vendorKey, f.partner.apiKey, f.publicKey, ADMIN_KEY]) {
      await expectError(await postConversion(t, key, body), 403, "forbidden");
      await expectError(await t.request(`/v1/postback?key=${key}&order=o1&event=sale&amount=10`), 403, "forbidden");
      await expectError(await t.request("/v1/conversions/refund", { method: "POST", key, json: { orderId: "o1" } }), 403, "forbidden");
    }
    expect(await countRows(t, "conversions")).toBe(0);
  });

  it("answers unknown /v1 and /api paths with the envelope", async () => {
    await expectError(await t.request("/v1/nothing", { key: f.postbackKey }), 404, "not_found");
    await expectError(await t.request("/api/v1/nothing", { key: f.vendorKey }), 404, "not_found");
    await expectError(await t.request("/v1/conversions", { method: "DELETE", key: f.postbackKey }), 404, "not_found");
  });
});
