import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addPartner, createFixture, createTestApp, expectError, okJson, postConversion, postRefund, sqlRows, type TestApp } from "../helpers/app";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12);
type Fixture = Awaited<ReturnType<typeof createFixture>>;
interface PayoutJson { id: string; batchId: string; partnerId: string; amount: string; currency: string; commissionCount: number; status: string }

describe("payouts", () => {
  let t: TestApp;
  let f: Fixture;
  let n = 0;
  beforeEach(async () => {
    t = await createTestApp({ now: T0 });
    n = 0;
  });
  afterEach(async () => { await t.close(); });

  const setup = async (program: Record<string, unknown> = {}) => { f = await createFixture(t, { program: { minPayout: "0", ...program } }); };
  /** A sale by coupon (20% commission), approved at once. */
  async function approvedSale(amount: string, coupon = "ANNA10", fx: Fixture = f) {
    const conv = await okJson(await postConversion(t, fx.postbackKey, { orderId: `o${++n}`, event: "sale", amount, coupon }), 201);
    await okJson(await t.request(`/api/v1/programs/${fx.program.id}/settle`, { method: "POST", key: fx.vendorKey, json: {} }));
    return conv as { id: string; orderId: string; commission: { id: string; amount: string } };
  }
  // 201 with a batch, or 200 with `id: null` when nobody reaches minPayout (second round)
  const createBatch = async (fx: Fixture = f) => {
    const res = await t.request(`/api/v1/programs/${fx.program.id}/payouts`, { method: "POST", key: fx.vendorKey });
    const body = await okJson(res, res.status === 200 ? 200 : 201);
    expect(body.id === null).toBe(res.status === 200);
    return body as { id: string; payouts: PayoutJson[] };
  };
  const markPaid = (id: string, key = f.vendorKey) => t.request(`/api/v1/payouts/${id}/paid`, { method: "POST", key });
  const byPartner = (payouts: PayoutJson[]) => Object.fromEntries(payouts.map((p) => [p.partnerId, p]));

  it("pays partners whose approved commissions reach minPayout (inclusive) and leaves the others for later", async () => {
    await setup({ minPayout: "25.00" });
    const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB" });
    const { partner: cleo } = await addPartner(t, f.vendorKey, f.program.id, { name: "Cleo", email: "cleo@example.com", coupon: "CLEO" });
    await approvedSale("100.00"); // anna 20.00
    await approvedSale("50.00"); // anna 10.00
    const bobFirst = await approvedSale("100.00", "BOB"); // bob 20.00: below 25.00
    await approvedSale("125.00", "CLEO"); // cleo 25.00: exactly the minimum
    // pending (not approved) commissions are not paid
    t.clock.now += 1;
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/rules`, { method: "POST", key: f.vendorKey, json: { event: "lead", type: "flat", value: "100.00" } }), 201);
    await okJson(await postConversion(t, f.postbackKey, { orderId: "lead", event: "lead", coupon: "BOB" }), 201);
    await t.client.execute({ sql: "UPDATE commissions SET available_at = ? WHERE conversion_id = (SELECT id FROM conversions WHERE order_id = 'lead')", args: [T0 + 100 * DAY] });

    const batch = await createBatch();
    expect(batch.payouts).toHaveLength(2);
    const p = byPartner(batch.payouts);
    expect(p[f.partner.id]).toMatchObject({ amount: "30.00", currency: "USD", commissionCount: 2, status: "pending", batchId: batch.id });
    expect(p[cleo.id]).toMatchObject({ amount: "25.00", commissionCount: 1, status: "pending" });
    expect(p[bob.id]).toBeUndefined();
    expect(await sqlRows(t, "SELECT payout_id FROM commissions WHERE id = ?", [bobFirst.commission.id])).toEqual([{ payout_id: null }]);

    // Bob's next commission lifts him over the minimum: both his commissions go in
    await approvedSale("50.00", "BOB");
    const next = await createBatch();
    expect(next.payouts).toEqual([expect.objectContaining({ partnerId: bob.id, amount: "30.00", commissionCount: 2 })]);
    expect(await sqlRows(t, "SELECT status, payout_id FROM commissions WHERE payout_id IS NULL")).toEqual([{ status: "pending", payout_id: null }]);
  });

  it("a refund of a paid commission books an adjustment that reduces the next payout", async () => {
    await setup();
    const first = await approvedSale("100.00"); // 20.00
    const batch1 = await createBatch();
    const [payout1] = batch1.payouts;
    expect(payout1).toMatchObject({ amount: "20.00", commissionCount: 1 });
    await okJson(await markPaid(payout1!.id));

    // refund 40% of the paid sale: the commission stays paid at 20.00, an adjustment of −8.00 waits
    const refunded = await okJson(await postRefund(t, f.postbackKey, { orderId: first.orderId, amount: "40.00" }));
    expect(refunded).toMatchObject({ refunded: "40.00", commission: { id: first.commission.id, amount: "20.00", status: "paid" } });
    const [adjustment] = await sqlRows(t, "SELECT id, partner_id, commission_id, amount, currency, payout_id FROM adjustments");
    expect(adjustment).toMatchObject({ partner_id: f.partner.id, commission_id: first.commission.id, amount: -800, currency: "USD", payout_id: null });

    // an adjustment alone is nothing to pay: no payout, the adjustment stays for later
    expect((await createBatch()).payouts).toEqual([]);
    expect((await sqlRows(t, "SELECT payout_id FROM adjustments"))[0]?.payout_id).toBeNull();

    const second = await approvedSale("50.00"); // 10.00
    const batch3 = await createBatch();
    expect(batch3.payouts).toEqual([expect.objectContaining({ partnerId: f.partner.id, amount: "2.00", commissionCount: 1 })]);
    const payout3 = batch3.payouts[0]!;
    const detail = await okJson(await t.request(`/api/v1/payouts/${payout3.id}`, { key: f.vendorKey }));
    expect(detail).toMatchObject({ id: payout3.id, amount: "2.00", currency: "USD", status: "pending" });
    expect(detail.lines).toHaveLength(2);
    expect(detail.lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: "commission", id: second.commission.id, conversionId: second.id, amount: "10.00" }),
      expect.objectContaining({ type: "adjustment", id: adjustment!.id, commissionId: first.commission.id, amount: "-8.00", reason: "refund" }),
    ]));
    expect(await sqlRows(t, "SELECT payout_id FROM adjustments")).toEqual([{ payout_id: payout3.id }]);

    // the rest of the refund after that: −12.00 more, onto the payout after
    await okJson(await markPaid(payout3.id));
    await okJson(await postRefund(t, f.postbackKey, { orderId: first.orderId }));
    expect(await sqlRows(t, "SELECT amount, payout_id FROM adjustments WHERE payout_id IS NULL")).toEqual([{ amount: -1200, payout_id: null }]);
    expect((await sqlRows(t, "SELECT status FROM commissions WHERE id = ?", [first.commission.id]))[0]?.status).toBe("paid");
    await approvedSale("100.00"); // 20.00
    expect((await createBatch()).payouts).toEqual([expect.objectContaining({ amount: "8.00", commissionCount: 1 })]);

    const me = await okJson(await t.request("/api/v1/me", { key: f.partner.apiKey }));
    expect(me.balance.paid).toBe("22.00"); // 20.00 + 2.00 paid out so far
  });

  it("an adjustment that leaves the total below minPayout holds the partner back", async () => {
    await setup({ minPayout: "5.00" });
    const first = await approvedSale("100.00");
    await okJson(await markPaid((await createBatch()).payouts[0]!.id));
    await okJson(await postRefund(t, f.postbackKey, { orderId: first.orderId, amount: "40.00" })); // −8.00
    await approvedSale("60.00"); // 12.00: 4.00 net
    expect((await createBatch()).payouts).toEqual([]);
    await approvedSale("5.00"); // 1.00 more: 5.00 net
    expect((await createBatch()).payouts).toEqual([expect.objectContaining({ amount: "5.00", commissionCount: 2 })]);
  });

  it("CSV of a payout and of a batch, one row per payout", async () => {
    await setup();
    const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Smith, \"Bob\"", email: "bob@example.com", coupon: "BOB" });
    const { partner: eve } = await addPartner(t, f.vendorKey, f.program.id, { name: "=HYPERLINK(\"x\")", email: "eve@example.com", coupon: "EVE" });
    await approvedSale("100.00");
    await approvedSale("12.34", "BOB"); // 2.468 → 2.47
    await approvedSale("10.00", "BOB"); // 2.00
    await approvedSale("1.00", "EVE");
    const batch = await createBatch();
    const p = byPartner(batch.payouts);

    const one = await t.request(`/api/v1/payouts/${p[f.partner.id]!.id}.csv`, { key: f.vendorKey });
    expect(one.status).toBe(200);
    expect(one.headers.get("content-type")).toMatch(/^text\/csv/);
    const oneLines = (await one.text()).trimEnd().split("\r\n");
    expect(oneLines).toEqual(["partner,email,amount,currency,commissionCount,payoutId,partnerId", `Anna,anna@example.com,20.00,USD,1,${p[f.partner.id]!.id},${f.partner.id}`]);

    const all = await t.request(`/api/v1/payout-batches/${batch.id}.csv`, { key: f.vendorKey });
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await all.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("partner,email,amount,currency,commissionCount,payoutId,partnerId");
    expect(lines.slice(1).sort()).toEqual([
      `Anna,anna@example.com,20.00,USD,1,${p[f.partner.id]!.id},${f.partner.id}`,
      `"Smith, ""Bob""",bob@example.com,4.47,USD,2,${p[bob.id]!.id},${bob.id}`,
      `"'=HYPERLINK(""x"")",eve@example.com,0.20,USD,1,${p[eve.id]!.id},${eve.id}`,
    ].sort());

    // the JSON form of the batch
    const json = await okJson(await t.request(`/api/v1/payout-batches/${batch.id}`, { key: f.vendorKey }));
    expect(json.id).toBe(batch.id);
    expect(json.payouts).toHaveLength(3);
  });

  it("marks a payout and its commissions paid once; again is 409", async () => {
    await setup();
    const a = await approvedSale("100.00");
    const b = await approvedSale("20.00");
    const [payout] = (await createBatch()).payouts;
    t.clock.now += DAY;
    const paid = await okJson(await markPaid(payout!.id));
    expect(paid).toMatchObject({ id: payout!.id, status: "paid", paidAt: new Date(T0 + DAY).toISOString(), amount: "24.00" });
    expect(await sqlRows(t, "SELECT status FROM commissions WHERE id IN (?, ?)", [a.commission.id, b.commission.id])).toEqual([{ status: "paid" }, { status: "paid" }]);
    t.clock.now += DAY;
    await expectError(await markPaid(payout!.id), 409, "conflict");
    expect((await sqlRows(t, "SELECT paid_at FROM payouts"))[0]?.paid_at).toBe(T0 + DAY);
    await expectError(await markPaid("pay_unknown"), 404, "not_found");
  });

  it("another vendor's payout and batch are 404; partner keys are 403", async () => {
    await setup();
    await approvedSale("100.00");
    const batch = await createBatch();
    const payout = batch.payouts[0]!;
    const other = await createFixture(t, { link: { slug: "other" } });
    for (const path of [`/api/v1/payouts/${payout.id}`, `/api/v1/payouts/${payout.id}.csv`, `/api/v1/payout-batches/${batch.id}`, `/api/v1/payout-batches/${batch.id}.csv`]) {
      await expectError(await t.request(path, { key: other.vendorKey }), 404, "not_found");
      await expectError(await t.request(path, { key: f.partner.apiKey }), 403, "forbidden");
    }
    await expectError(await markPaid(payout.id, other.vendorKey), 404, "not_found");
    await expectError(await markPaid(payout.id, f.partner.apiKey), 403, "forbidden");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: other.vendorKey }), 404, "not_found");
    await expectError(await t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.partner.apiKey }), 403, "forbidden");
    expect((await sqlRows(t, "SELECT status FROM payouts"))).toEqual([{ status: "pending" }]);
    expect(await sqlRows(t, "SELECT count(*) AS n FROM payout_batches")).toEqual([{ n: 1 }]);
  });

  it("CONCURRENCY: batches created at once never put a commission in two payouts", async () => {
    await setup();
    const partners = [{ coupon: "ANNA10", id: f.partner.id }];
    for (let i = 0; i < 4; i++) {
      const { partner } = await addPartner(t, f.vendorKey, f.program.id, { name: `P${i}`, email: `p${i}@example.com`, coupon: `P${i}` });
      partners.push({ coupon: `P${i}`, id: partner.id });
    }
    for (let i = 0; i < 30; i++) {
      await okJson(await postConversion(t, f.postbackKey, { orderId: `c${i}`, event: "sale", amount: `${10 + i}.${String(i * 7 % 100).padStart(2, "0")}`, coupon: partners[i % partners.length]!.coupon }), 201);
    }
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: {} }));
    const approved = await sqlRows(t, "SELECT id, partner_id, amount FROM commissions WHERE status = 'approved'");
    expect(approved).toHaveLength(30);

    const responses = await Promise.all(Array.from({ length: 4 }, () => t.request(`/api/v1/programs/${f.program.id}/payouts`, { method: "POST", key: f.vendorKey })));
    const batches = await Promise.all(responses.map((r) => okJson(r, r.status === 200 ? 200 : 201)));
    const payouts: PayoutJson[] = batches.flatMap((b) => b.payouts);

    // every approved commission is in exactly one payout, and that payout is its partner's
    const rows = await sqlRows(t, "SELECT m.id, m.partner_id, m.amount, m.payout_id, p.partner_id AS payout_partner FROM commissions m LEFT JOIN payouts p ON p.id = m.payout_id");
    expect(rows).toHaveLength(30);
    for (const r of rows) {
      expect(r.payout_id, String(r.id)).not.toBeNull();
      expect(r.payout_partner).toBe(r.partner_id);
    }
    // one payout per partner overall, amounts and counts add up to exactly the commissions
    expect(payouts).toHaveLength(partners.length);
    expect(new Set(payouts.map((p) => p.partnerId)).size).toBe(partners.length);
    const cents = (s: string) => Math.round(Number(s) * 100);
    const total = approved.reduce((s, r) => s + Number(r.amount), 0);
    expect(payouts.reduce((s, p) => s + cents(p.amount), 0)).toBe(total);
    expect(payouts.reduce((s, p) => s + p.commissionCount, 0)).toBe(30);
    for (const p of payouts) {
      const mine = rows.filter((r) => r.payout_id === p.id);
      expect(mine).toHaveLength(p.commissionCount);
      expect(mine.reduce((s, r) => s + Number(r.amount), 0)).toBe(cents(p.amount));
    }
    expect(await sqlRows(t, "SELECT coalesce(sum(amount), 0) AS s FROM payouts")).toEqual([{ s: total }]);
  });
});
