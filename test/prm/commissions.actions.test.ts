import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, expectError, okJson, postConversion, postRefund, sqlRows, type TestApp } from "../helpers/app";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;
type Status = "hold" | "pending" | "approved" | "paid" | "reversed" | "rejected";

describe("commission approve / reject", () => {
  let t: TestApp;
  let f: Fixture;
  let n = 0;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    f = await createFixture(t, { program: { holdDays: 7, minPayout: "0" } });
    n = 0;
  });
  afterEach(async () => { await t.close(); });

  const statusOf = async (id: string) => (await sqlRows(t, "SELECT status FROM commissions WHERE id = ?", [id]))[0]?.status;
  const act = (id: string, action: "approve" | "reject", key = f.vendorKey) => t.request(`/api/v1/commissions/${id}/${action}`, { method: "POST", key });
  const bulk = (action: "approve" | "reject", json: unknown, key = f.vendorKey) => t.request(`/api/v1/commissions/${action}`, { method: "POST", key, json });

  /** A commission of the fixture's partner, brought into `status` the way the system gets there. */
  async function commissionIn(status: Status, fx: Fixture = f): Promise<string> {
    const orderId = `o${++n}`;
    const clickId = await click(t, fx.link.slug);
    if (status === "hold") {
      expect((await t.request(`/px.gif?pk=${fx.publicKey}&order=${orderId}&amount=50.00&click=${clickId}`)).status).toBe(200);
      return (await sqlRows(t, "SELECT m.id FROM commissions m JOIN conversions c ON c.id = m.conversion_id WHERE c.order_id = ? AND c.program_id = ?", [orderId, fx.program.id]))[0]!.id as string;
    }
    const conv = await okJson(await postConversion(t, fx.postbackKey, { orderId, event: "sale", amount: "50.00", clickId }), 201);
    const id: string = conv.commission.id;
    if (status === "rejected") await okJson(await act(id, "reject", fx.vendorKey));
    if (status === "reversed") await okJson(await postRefund(t, fx.postbackKey, { orderId }));
    if (status === "approved" || status === "paid") {
      // make it due without touching the clock of the other commissions
      await t.client.execute({ sql: "UPDATE commissions SET available_at = ? WHERE id = ?", args: [T0 - 1, id] });
      await okJson(await t.request(`/api/v1/programs/${fx.program.id}/settle`, { method: "POST", key: fx.vendorKey, json: {} }));
    }
    if (status === "paid") {
      const batch = await okJson(await t.request(`/api/v1/programs/${fx.program.id}/payouts`, { method: "POST", key: fx.vendorKey }), 201);
      for (const p of batch.payouts) await okJson(await t.request(`/api/v1/payouts/${p.id}/paid`, { method: "POST", key: fx.vendorKey }));
    }
    expect(await statusOf(id)).toBe(status);
    return id;
  }

  it("approve moves hold to pending with availableAt = createdAt + holdDays", async () => {
    const id = await commissionIn("hold");
    t.clock.now += 2 * DAY; // approving later does not restart the hold
    const body = await okJson(await act(id, "approve"));
    expect(body).toEqual({ id, status: "pending", amount: "10.00", currency: "USD" });
    const [row] = (await okJson(await t.request(`/api/v1/commissions?programId=${f.program.id}&status=pending`, { key: f.vendorKey }))).data;
    expect(row).toMatchObject({ id, status: "pending", createdAt: new Date(T0).toISOString(), availableAt: new Date(T0 + 7 * DAY).toISOString() });
  });

  it("reject moves hold or pending to rejected", async () => {
    for (const from of ["hold", "pending"] as const) {
      const id = await commissionIn(from);
      expect(await okJson(await act(id, "reject"))).toEqual({ id, status: "rejected", amount: "10.00", currency: "USD" });
      expect(await statusOf(id)).toBe("rejected");
    }
  });

  it.each(["pending", "approved", "paid", "rejected", "reversed"] as const)("409 to approve a %s commission, nothing changed", async (status) => {
    const id = await commissionIn(status);
    const before = await sqlRows(t, "SELECT * FROM commissions WHERE id = ?", [id]);
    await expectError(await act(id, "approve"), 409, "conflict");
    expect(await sqlRows(t, "SELECT * FROM commissions WHERE id = ?", [id])).toEqual(before);
  });

  it.each(["approved", "paid", "rejected", "reversed"] as const)("409 to reject a %s commission, nothing changed", async (status) => {
    const id = await commissionIn(status);
    const before = await sqlRows(t, "SELECT * FROM commissions WHERE id = ?", [id]);
    await expectError(await act(id, "reject"), 409, "conflict");
    expect(await sqlRows(t, "SELECT * FROM commissions WHERE id = ?", [id])).toEqual(before);
  });

  it("bulk approve lists what was updated, unknown and in another status", async () => {
    const other = await createFixture(t, { program: { holdDays: 7 }, link: { slug: "other" } });
    const [h1, h2, pending, approved, rejected, foreign] = [
      await commissionIn("hold"), await commissionIn("hold"), await commissionIn("pending"), await commissionIn("approved"), await commissionIn("rejected"),
      await commissionIn("hold", other),
    ];
    const body = await okJson(await bulk("approve", { ids: [h1, pending, "com_nope", h2, foreign, approved, rejected, h1] }));
    expect([...body.updated].sort()).toEqual([h1, h2].sort());
    expect(body.notFound).toEqual(["com_nope", foreign]);
    expect(body.invalid).toEqual(expect.arrayContaining([{ id: pending, status: "pending" }, { id: approved, status: "approved" }, { id: rejected, status: "rejected" }]));
    expect(body.invalid).toHaveLength(3);
    expect([await statusOf(h1), await statusOf(h2), await statusOf(pending), await statusOf(approved), await statusOf(rejected), await statusOf(foreign)])
      .toEqual(["pending", "pending", "pending", "approved", "rejected", "hold"]);
    // again: nothing left to approve
    const again = await okJson(await bulk("approve", { ids: [h1, h2] }));
    expect(again).toEqual({ updated: [], notFound: [], invalid: expect.arrayContaining([{ id: h1, status: "pending" }, { id: h2, status: "pending" }]) });
  });

  it("bulk reject lists what was updated, unknown and in another status", async () => {
    const other = await createFixture(t, { program: { holdDays: 7 }, link: { slug: "other" } });
    const paid = await commissionIn("paid"); // first: its payout takes every approved commission
    const [hold, pending, approved, reversed, foreign] = [
      await commissionIn("hold"), await commissionIn("pending"), await commissionIn("approved"), await commissionIn("reversed"),
      await commissionIn("pending", other),
    ];
    const body = await okJson(await bulk("reject", { ids: [hold, pending, approved, paid, reversed, foreign, "nope"] }));
    expect([...body.updated].sort()).toEqual([hold, pending].sort());
    expect(body.notFound).toEqual([foreign, "nope"]);
    expect([...body.invalid].sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id))).toEqual(
      [{ id: approved, status: "approved" }, { id: paid, status: "paid" }, { id: reversed, status: "reversed" }].sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(await statusOf(hold)).toBe("rejected");
    expect(await statusOf(pending)).toBe("rejected");
    expect(await statusOf(paid)).toBe("paid");
    expect(await statusOf(foreign)).toBe("pending");
  });

  it("400 for a bulk body without ids", async () => {
    for (const json of [{}, { ids: [] }, { ids: "com_1" }, { ids: [1] }]) {
      await expectError(await bulk("approve", json), 400, "validation_failed");
      await expectError(await bulk("reject", json), 400, "validation_failed");
    }
  });

  it("another vendor's commission is 404 and stays as it was", async () => {
    const other = await createFixture(t, { program: { holdDays: 7 }, link: { slug: "other" } });
    const foreign = await commissionIn("hold", other);
    await expectError(await act(foreign, "approve"), 404, "not_found");
    await expectError(await act(foreign, "reject"), 404, "not_found");
    await expectError(await act("com_unknown", "reject"), 404, "not_found");
    expect(await statusOf(foreign)).toBe("hold");
    // and its own vendor can
    await okJson(await act(foreign, "approve", other.vendorKey));
  });

  it("a partner key (even the commission's own partner) and a postback key are 403", async () => {
    const id = await commissionIn("hold");
    for (const key of [f.partner.apiKey, f.postbackKey, f.publicKey]) {
      await expectError(await act(id, "approve", key), 403, "forbidden");
      await expectError(await act(id, "reject", key), 403, "forbidden");
      await expectError(await bulk("approve", { ids: [id] }, key), 403, "forbidden");
      await expectError(await bulk("reject", { ids: [id] }, key), 403, "forbidden");
    }
    await expectError(await act(id, "approve", "afx_sk_not_a_key"), 401, "unauthorized");
    expect(await statusOf(id)).toBe("hold");
  });
});
