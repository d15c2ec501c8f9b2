import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { click, createFixture, createTestApp, okJson, postConversion, sqlRows, type TestApp } from "../helpers/app";

let t: TestApp;
let f: Awaited<ReturnType<typeof createFixture>>;
beforeEach(async () => {
  t = await createTestApp();
  f = await createFixture(t, { program: { name: "Acme Shop", holdDays: 30 } });
});
afterEach(() => t.close());

const setStatus = (status: string) => t.request(`/api/v1/partners/${f.partner.id}`, { method: "PATCH", key: f.vendorKey, json: { status } });
const sale = async (orderId: string, via: "click" | "coupon" = "click") =>
  okJson(await postConversion(t, f.postbackKey, { event: "sale", orderId, amount: "100.00", currency: "USD", ...(via === "click" ? { clickId: await click(t, "anna") } : { coupon: "ANNA10" }) }), 201);

describe("partner statuses", () => {
  it("a deactivated partner's links keep redirecting, but their conversions are unattributed (partner_inactive); approved again, they earn again", async () => {
    const clickId = await click(t, "anna"); // warms the read cache with the approved partner
    expect((await sale("O-1")).status).toBe("attributed");
    expect((await okJson(await setStatus("deactivated"))).status).toBe("deactivated");
    const res = await t.request("/anna");
    expect(res.status).toBe(302);
    const late = await okJson(await postConversion(t, f.postbackKey, { event: "sale", orderId: "O-2", amount: "100.00", currency: "USD", clickId }), 201);
    expect(late).toMatchObject({ status: "unattributed", reason: "partner_inactive", commission: null });
    expect((await sale("O-3", "coupon"))).toMatchObject({ status: "unattributed", reason: "partner_inactive" });
    await okJson(await setStatus("approved"));
    expect((await sale("O-4")).status).toBe("attributed");
  });

  it("banning also rejects the partner's hold and pending commissions; approved ones stay", async () => {
    const a = await sale("B-1");
    await okJson(await t.request(`/api/v1/programs/${f.program.id}/settle`, { method: "POST", key: f.vendorKey, json: { now: new Date(t.clock.now + 31 * 86_400_000).toISOString() } }));
    const b = await sale("B-2");
    expect((await okJson(await setStatus("banned"))).status).toBe("banned");
    const rows = await sqlRows(t, "SELECT id, status FROM commissions ORDER BY id");
    const byId = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    expect(byId[a.commission.id]).toBe("approved");
    expect(byId[b.commission.id]).toBe("rejected");
    expect((await sale("B-3")).reason).toBe("partner_inactive");
    // the report no longer counts the rejected commission
    const report = await okJson(await t.request(`/api/v1/programs/${f.program.id}/report`, { key: f.vendorKey }));
    expect(report.totals.commission).toBe("20.00");
  });
});
