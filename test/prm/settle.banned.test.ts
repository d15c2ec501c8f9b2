import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { settleProgram } from "../../src/services/prm/settle";
import { addPartner, createFixture, createTestApp, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";

const DAY = 86_400_000;

// Banning stores the status, then rejects the partner's open commissions in a second step. A
// process that dies between the two leaves a banned partner with pending commissions; settle
// must reject them instead of approving them for payout.
describe("settle and a ban whose rejections never ran", () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp({ now: Date.UTC(2026, 10, 2, 10) }); });
  afterEach(async () => { await t.close(); });

  it("rejects the banned partner's due and held commissions, approves everyone else's", async () => {
    const f = await createFixture(t, { program: { holdDays: 1 } });
    const { partner: bob } = await addPartner(t, f.vendorKey, f.program.id, { name: "Bob", email: "bob@example.com", coupon: "BOB10" });
    expect((await postConversion(t, f.postbackKey, { orderId: "anna-1", event: "sale", amount: "10.00", coupon: "ANNA10" })).status).toBe(201);
    expect((await postConversion(t, f.postbackKey, { orderId: "bob-1", event: "sale", amount: "20.00", coupon: "BOB10" })).status).toBe(201);
    expect((await postConversion(t, f.postbackKey, { orderId: "bob-2", event: "sale", amount: "30.00", coupon: "BOB10" })).status).toBe(201);
    await t.client.execute({ sql: "UPDATE commissions SET status = 'hold' WHERE conversion_id = (SELECT id FROM conversions WHERE order_id = 'bob-2')", args: [] });
    // the first step of the ban only, as if the process died before the second
    await t.client.execute({ sql: "UPDATE partners SET status = 'banned' WHERE id = ?", args: [bob.id] });
    t.clock.now += 2 * DAY;
    const result = await settleProgram(t.db, f.program.id, t.clock.now);
    expect(result.approved).toBe(1);
    expect(await sqlRows(t, "SELECT c.order_id, m.status FROM commissions m JOIN conversions c ON c.id = m.conversion_id ORDER BY c.order_id"))
      .toEqual([{ order_id: "anna-1", status: "approved" }, { order_id: "bob-1", status: "rejected" }, { order_id: "bob-2", status: "rejected" }]);
    const report = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report?groupBy=partner&from=2026-11-01&to=2026-11-30`, { key: f.vendorKey }));
    expect(report.totals.commission).toBe("2.00");
    // a second settle finds nothing more to do
    expect(await settleProgram(t.db, f.program.id, t.clock.now)).toMatchObject({ approved: 0 });
  });
});
