import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, countRows, createFixture, createTestApp, expectError, postConversion, sqlRows, type TestApp } from "../helpers/app";

type Fixture = Awaited<ReturnType<typeof createFixture>>;

const refund = (t: TestApp, key: string, json: Record<string, unknown>, idempotencyKey?: string) =>
  t.request("/v1/conversions/refund", { method: "POST", key, json, headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : {} });

async function ok(res: Response) {
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text);
}

describe("POST /v1/conversions/refund", () => {
  let t: TestApp;
  let f: Fixture;
  let conversion: { id: string; commission: { id: string } };
  beforeEach(async () => {
    t = await createTestApp();
    f = await createFixture(t);
    const clickId = await click(t, "anna");
    const res = await postConversion(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "99.99", clickId });
    expect(res.status).toBe(201);
    conversion = await res.json();
    expect(conversion.commission).toMatchObject({ amount: "20.00" }); // 20% of 99.99 = 19.998
  });
  afterEach(async () => { await t.close(); });

  it("refunds part, then the rest; the commission shrinks in proportion, then is reversed", async () => {
    const partial = await ok(await refund(t, f.postbackKey, { orderId: "o1", event: "sale", amount: "33.33" }));
    // round(2000 × (9999 − 3333) ÷ 9999) = round(1333.33) = 1333
    expect(partial).toMatchObject({ id: conversion.id, amount: "99.99", refunded: "33.33", status: "attributed", commission: { id: conversion.commission.id, amount: "13.33", status: "pending" } });
    const second = await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: 0.01 }));
    // round(2000 × 6665 ÷ 9999) = round(1333.13) = 1333
    expect(second).toMatchObject({ refunded: "33.34", commission: { amount: "13.33", status: "pending" } });
    const rest = await ok(await refund(t, f.postbackKey, { orderId: "o1", event: "sale" }));
    expect(rest).toMatchObject({ refunded: "99.99", commission: { amount: "0.00", status: "reversed" } });
    expect(await sqlRows(t, "SELECT amount, original_amount, status FROM commissions")).toEqual([{ amount: 0, original_amount: 2000, status: "reversed" }]);
    // nothing remains
    const more = await expectError(await refund(t, f.postbackKey, { orderId: "o1", amount: "0.01" }), 400, "validation_failed");
    expect(more.details?.[0]?.path).toBe("amount");
  });

  it("refunds everything at once without an amount", async () => {
    const body = await ok(await refund(t, f.postbackKey, { orderId: "o1" }));
    expect(body).toMatchObject({ amount: "99.99", refunded: "99.99", commission: { amount: "0.00", status: "reversed" } });
  });

  it("400 for more than remains, nothing changed", async () => {
    await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "90" }));
    const before = await sqlRows(t, "SELECT refunded FROM conversions");
    const err = await expectError(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }), 400, "validation_failed");
    expect(err.details?.[0]?.path).toBe("amount");
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual(before);
    expect(before).toEqual([{ refunded: 9000 }]);
  });

  it("400 for an invalid amount", async () => {
    for (const amount of ["0", "-1", "1.001", "abc", 0]) {
      const err = await expectError(await refund(t, f.postbackKey, { orderId: "o1", amount }), 400, "validation_failed");
      expect(err.details?.[0]?.path).toBe("amount");
    }
    await expectError(await refund(t, f.postbackKey, { amount: "1" }), 400, "validation_failed");
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 0 }]);
  });

  it("404 for an unknown order, another event, or another program's order", async () => {
    await expectError(await refund(t, f.postbackKey, { orderId: "nope" }), 404, "not_found");
    await expectError(await refund(t, f.postbackKey, { orderId: "o1", event: "lead" }), 404, "not_found");
    const other = await createFixture(t, { link: { slug: "other" } });
    await expectError(await refund(t, other.postbackKey, { orderId: "o1" }), 404, "not_found");
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 0 }]);
  });

  it("replays an Idempotency-Key without further effect, answering as the first time", async () => {
    const first = await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }, "idem-1"));
    expect(first.refunded).toBe("10.00");
    for (let i = 0; i < 3; i++) {
      const again = await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }, "idem-1"));
      expect(again).toEqual(first);
    }
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 1000 }]);
    // the replay still answers as the first time after other refunds changed the conversion
    await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }, "idem-2"));
    expect(await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }, "idem-1"))).toEqual(first);
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 2000 }]);
    // without a key, the same body is a new refund
    await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }));
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 3000 }]);
  });

  it("409 for an Idempotency-Key reused with another body", async () => {
    await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }, "idem-1"));
    await expectError(await refund(t, f.postbackKey, { orderId: "o1", amount: "20.00" }, "idem-1"), 409, "conflict");
    await expectError(await refund(t, f.postbackKey, { orderId: "o1" }, "idem-1"), 409, "conflict");
    expect(await sqlRows(t, "SELECT refunded FROM conversions")).toEqual([{ refunded: 1000 }]);
  });

  it("scopes Idempotency-Keys to the program", async () => {
    const other = await createFixture(t, { link: { slug: "other" } });
    expect((await postConversion(t, other.postbackKey, { orderId: "x1", event: "sale", amount: "50" })).status).toBe(201);
    await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "10.00" }, "shared"));
    const otherRefund = await ok(await refund(t, other.postbackKey, { orderId: "x1", amount: "5.00" }, "shared"));
    expect(otherRefund).toMatchObject({ orderId: "x1", refunded: "5.00" });
  });

  it("keeps a paid commission paid and books a negative adjustment", async () => {
    await t.client.execute({ sql: "UPDATE commissions SET status = 'paid' WHERE id = ?", args: [conversion.commission.id] });
    const partial = await ok(await refund(t, f.postbackKey, { orderId: "o1", amount: "33.33" }));
    expect(partial).toMatchObject({ refunded: "33.33", commission: { amount: "20.00", status: "paid" } });
    const rest = await ok(await refund(t, f.postbackKey, { orderId: "o1" }));
    expect(rest).toMatchObject({ refunded: "99.99", commission: { amount: "20.00", status: "paid" } });
    const adjustments = await sqlRows(t, "SELECT partner_id, commission_id, amount, currency, payout_id FROM adjustments ORDER BY amount");
    // 2000 → 1333 (−667), then 1333 → 0 (−1333): together the whole commission
    expect(adjustments).toEqual([
      { partner_id: f.partner.id, commission_id: conversion.commission.id, amount: -1333, currency: "USD", payout_id: null },
      { partner_id: f.partner.id, commission_id: conversion.commission.id, amount: -667, currency: "USD", payout_id: null },
    ]);
    expect(await sqlRows(t, "SELECT status, amount FROM commissions")).toEqual([{ status: "paid", amount: 2000 }]);
  });

  it("refunds an unattributed conversion (no commission)", async () => {
    expect((await postConversion(t, f.postbackKey, { orderId: "u1", event: "sale", amount: "10" })).status).toBe(201);
    const body = await ok(await refund(t, f.postbackKey, { orderId: "u1", amount: "4" }));
    expect(body).toMatchObject({ refunded: "4.00", commission: null, status: "unattributed" });
    expect(await countRows(t, "adjustments")).toBe(0);
  });
});
